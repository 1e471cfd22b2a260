/* placeholder: runtime/src/lib/state.c */
