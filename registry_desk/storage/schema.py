"""Every module that maps tables onto the shared metadata, imported in one place, so that Alembic and
the drift test see the whole schema whichever part of the program imported first."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

MAPPING_MODULES = (
    "registry_desk.storage.tables",
    "registry_desk.storage.ledger.tables",
    "registry_desk.storage.kiosk.tables",
    "registry_desk.storage.hall.tables",
)


def full_metadata() -> MetaData:
    for name in MAPPING_MODULES:
        importlib.import_module(name)
    from registry_desk.storage.tables import Base

    return Base.metadata
