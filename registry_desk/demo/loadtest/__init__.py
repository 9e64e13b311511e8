"""Proof under load and faults: many windows on one database, and windows killed mid-write (issue #7)."""
