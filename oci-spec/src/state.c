/* placeholder: oci-spec/src/state.c */
