/* placeholder: runtime/src/lib/sysctl.c */
