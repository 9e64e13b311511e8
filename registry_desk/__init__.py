"""registry-desk: one-window counter software for real-estate registration (不动产登记一窗受理)."""

__version__ = "0.1.0"
