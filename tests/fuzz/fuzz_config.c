/* placeholder: tests/fuzz/fuzz_config.c */
