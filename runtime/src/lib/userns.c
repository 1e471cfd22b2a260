/* placeholder: runtime/src/lib/userns.c */
