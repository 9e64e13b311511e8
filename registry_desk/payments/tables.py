"""Kept only for registration/cases.py's lazy imports until the lead rewires them; the tables live in
storage/ledger/tables.py."""

from registry_desk.storage.ledger.tables import PaymentOrder  # noqa: F401  # lead: remove after rewiring registration (relay)
