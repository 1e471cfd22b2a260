/* placeholder: runtime/src/lib/init.c */
