"""Allocating case numbers and certificate/证明 numbers from the `sequences` counters, inside the caller's
transaction, so a rolled-back case leaves no gap and two windows never get the same number."""

from __future__ import annotations

from datetime import date

from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import CertificateKind
from registry_desk.domain.errors import RuleViolation
from registry_desk.storage.driver_sql import Driver, Prepared, driver
from registry_desk.storage.tables import Sequence

CASE_NUMBER_LIMIT = 9999


_counters = cast(Table, Sequence.__table__)
# One statement per number in the usual case (the counter exists): UPDATE … RETURNING takes the row lock and
# the value together. Compiled once and run on the driver cursor of the caller's transaction.
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


def next_value(session: Session | Driver, name: str) -> int:
    """The counter's next value. The UPDATE takes the row lock until the transaction ends, so the
    number is neither shared nor skipped whatever else runs at the same time."""
    handle = driver(session)
    row = _ADVANCE.first(handle, counter=name)
    if row is None:
        # The first number of a new counter (a new day, kind or year).
        create = _CREATE.get(handle.name)
        if create is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"unsupported database {handle.name}")
        create.execute(handle, name=name, value=0)
        row = _ADVANCE.first(handle, counter=name)
        assert row is not None
    return int(row[0])


def peek_value(session: Session, name: str) -> int:
    """The last value handed out (0 if none); for reports and tests."""
    return int(session.scalar(select(Sequence.value).where(Sequence.name == name)) or 0)


def certificate_counter(kind: CertificateKind, year: int) -> str:
    return f"cert:{kind.value}:{year}"


def case_counter(day: date) -> str:
    return f"case:{day:%Y%m%d}"


def allocate_certificate_number(
    session: Session | Driver, kind: CertificateKind, year: int
) -> tuple[str, int]:
    """宁(year)中卫市不动产权第NNNNNNN号 (or 不动产证明) and its sequence number."""
    seq = next_value(session, certificate_counter(kind, year))
    return format_certificate_number(kind, year, seq), seq


def allocate_case_number(session: Session, day: date) -> str:
    """业务号: YYYYMMDD and the day's 4-digit sequence."""
    seq = next_value(session, case_counter(day))
    if seq > CASE_NUMBER_LIMIT:
        raise RuleViolation(
            f"{day:%Y年%m月%d日}的业务号已用尽（每日最多{CASE_NUMBER_LIMIT}件）",
            rule="业务号编号规则 YYYYMMDD+4位顺序号",
            record=case_counter(day),
        )
    return f"{day:%Y%m%d}{seq:04d}"
