/* placeholder: runtime/src/cli/start.c */
