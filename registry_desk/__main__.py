"""`python -m registry_desk` runs the command line (no subcommand opens the clerk window)."""

from registry_desk.cli import main

raise SystemExit(main())
