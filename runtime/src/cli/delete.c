/* placeholder: runtime/src/cli/delete.c */
