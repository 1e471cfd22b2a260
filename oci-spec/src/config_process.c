/* placeholder: oci-spec/src/config_process.c */
