/* placeholder: runtime/src/lib/cgroup.c */
