/* placeholder: oci-spec/src/config_linux.c */
