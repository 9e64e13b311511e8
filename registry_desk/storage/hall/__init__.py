"""The hall's storage: audit trail, counters, accounts, dashboard figures, invariant checks, backup."""
