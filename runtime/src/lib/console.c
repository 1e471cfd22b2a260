/* placeholder: runtime/src/lib/console.c */
