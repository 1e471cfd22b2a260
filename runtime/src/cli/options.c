/* placeholder: runtime/src/cli/options.c */
