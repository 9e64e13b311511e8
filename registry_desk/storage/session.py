"""What the feature packages may name of a unit of work without importing SQLAlchemy themselves.

Every SQL statement of the application lives in `storage/`; a use case above it holds a unit of work's
session, hands it to storage's functions, and reads and changes the mapped rows they return. For that it
needs the session's type (for its annotations), a way to say a JSON column was changed in place, and the
errors storage lets through. They are named here once, so that no module outside `storage/` imports
SQLAlchemy (pyproject.toml's contract `sql-only-in-storage`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

__all__ = ["DBAPIError", "IntegrityError", "OperationalError", "Session", "StaleDataError", "mark_changed"]


def mark_changed(row: Any, attribute: str) -> None:
    """The mapped row's `attribute` (a JSON column changed in place) is part of the next flush: its row is
    written, and a versioned row's version moves on."""
    flag_modified(row, attribute)
