/* placeholder: runtime/src/lib/mounts.c */
