/* placeholder: runtime/src/cli/spec.c */
