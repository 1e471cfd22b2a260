/* placeholder: runtime/src/main.c */
