"""The `sequences` counters' statements: advancing a counter, creating a new one, reading one.

One statement per number in the usual case (the counter exists): UPDATE … RETURNING takes the row lock and
the value together. Compiled once and run on the driver cursor of the caller's transaction.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.tables import Sequence

_counters = cast(Table, Sequence.__table__)
_ADVANCE = Prepared(
    update(_counters)
    .where(_counters.c.name == bindparam("counter"))
    .values(value=_counters.c.value + 1)
    .returning(_counters.c.value)
)
_CREATE = {
    # INSERT … ON CONFLICT DO NOTHING: two transactions creating the same day's counter do not fail; the
    # second waits for the first (PostgreSQL) or for the write lock (SQLite) and then does nothing.
    "postgresql": Prepared(postgresql.insert(_counters).on_conflict_do_nothing(), keys=("name", "value")),
    "sqlite": Prepared(sqlite.insert(_counters).on_conflict_do_nothing(), keys=("name", "value")),
}


def advance_counter(sql: Driver, name: str) -> int | None:
    """The counter's value after adding one, its row locked until the transaction ends; None if there is
    no such counter yet."""
    row = _ADVANCE.first(sql, counter=name)
    return None if row is None else int(row[0])


def create_counter(sql: Driver, name: str) -> None:
    """Creates the counter at 0 (does nothing if another transaction just created it)."""
    create = _CREATE.get(sql.name)
    if create is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {sql.name}")
    create.execute(sql, name=name, value=0)


def counter_value(session: Session, name: str) -> int:
    """The counter's last value (0 if it does not exist)."""
    return int(session.scalar(select(Sequence.value).where(Sequence.name == name)) or 0)
