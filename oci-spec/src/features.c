/* placeholder: oci-spec/src/features.c */
