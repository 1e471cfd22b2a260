/* placeholder: oci-spec/src/config_resources.c */
