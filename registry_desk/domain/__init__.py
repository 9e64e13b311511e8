"""The domain of the register in plain Python: no Qt, no SQL, no PDF, no clock, no filesystem."""
