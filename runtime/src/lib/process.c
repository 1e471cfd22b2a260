/* placeholder: runtime/src/lib/process.c */
