/* placeholder: runtime/src/lib/mount_options.c */
