/* placeholder: oci-spec/src/spec_default.c */
