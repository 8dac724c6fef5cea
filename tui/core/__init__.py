"""UI-free core: settings, stream reading, tool-call assembly, errors.

Nothing in this package may import textual; tests/test_core_isolation.py enforces it.
"""
