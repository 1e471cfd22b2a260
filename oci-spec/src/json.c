/* placeholder: oci-spec/src/json.c */
