"""Subcommands of the `registry-desk` command line, one module per area."""
