/* placeholder: runtime/src/lib/path_in_root.c */
