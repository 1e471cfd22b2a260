/* placeholder: runtime/src/lib/rootfs.c */
