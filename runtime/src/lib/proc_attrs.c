/* placeholder: runtime/src/lib/proc_attrs.c */
