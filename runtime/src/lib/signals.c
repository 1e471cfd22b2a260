/* placeholder: runtime/src/lib/signals.c */
