/* placeholder: runtime/src/cli/state.c */
