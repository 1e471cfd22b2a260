/* placeholder: runtime/src/cli/list.c */
