/* placeholder: runtime/src/lib/caps.c */
