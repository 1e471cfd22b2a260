/* placeholder: tests/unit/test_runtime.c */
