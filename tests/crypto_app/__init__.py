"""A test-only app with a model that holds encrypted data (installed by tests/test_crypto.py)."""
