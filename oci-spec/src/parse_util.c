/* placeholder: oci-spec/src/parse_util.c */
