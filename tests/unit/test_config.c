/* placeholder: tests/unit/test_config.c */
