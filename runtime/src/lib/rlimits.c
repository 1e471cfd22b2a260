/* placeholder: runtime/src/lib/rlimits.c */
