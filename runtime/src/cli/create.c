/* placeholder: runtime/src/cli/create.c */
