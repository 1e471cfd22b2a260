/* placeholder: oci-spec/src/config.c */
