"""The intake (受理) dialog, one module per part of its form."""
