/* placeholder: runtime/src/lib/container.c */
