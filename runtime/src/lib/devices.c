/* placeholder: runtime/src/lib/devices.c */
