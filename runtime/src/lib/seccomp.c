/* placeholder: runtime/src/lib/seccomp.c */
