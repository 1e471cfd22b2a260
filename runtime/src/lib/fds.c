/* placeholder: runtime/src/lib/fds.c */
