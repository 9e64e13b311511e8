"""Test suite of registry-desk; a package so that shared helpers import as `tests.strategies`."""
