/* placeholder: runtime/src/lib/log.c */
