/* placeholder: runtime/src/lib/user.c */
