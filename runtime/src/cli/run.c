/* placeholder: runtime/src/cli/run.c */
