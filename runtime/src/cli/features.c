/* placeholder: runtime/src/cli/features.c */
