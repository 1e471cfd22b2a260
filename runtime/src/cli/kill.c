/* placeholder: runtime/src/cli/kill.c */
