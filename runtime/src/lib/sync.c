/* placeholder: runtime/src/lib/sync.c */
