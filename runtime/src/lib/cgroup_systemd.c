/* placeholder: runtime/src/lib/cgroup_systemd.c */
