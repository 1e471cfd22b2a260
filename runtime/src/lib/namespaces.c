/* placeholder: runtime/src/lib/namespaces.c */
