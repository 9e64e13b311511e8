"""Allocating case numbers and certificate/证明 numbers from the `sequences` counters, inside the caller's
transaction, so a rolled-back case leaves no gap and two windows never get the same number."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Executable, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import CertificateKind
from registry_desk.domain.errors import RuleViolation
from registry_desk.storage.tables import Sequence

CASE_NUMBER_LIMIT = 9999


def _ensure_counter(session: Session, name: str) -> None:
    # INSERT … ON CONFLICT DO NOTHING: two transactions creating the same day's counter do not fail;
    # the second waits for the first (PostgreSQL) or for the write lock (SQLite) and then does nothing.
    dialect = session.get_bind().dialect.name
    stmt: Executable
    if dialect == "postgresql":
        stmt = postgresql.insert(Sequence).values(name=name, value=0).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(Sequence).values(name=name, value=0).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        if session.get(Sequence, name) is not None:
            return
        stmt = insert(Sequence).values(name=name, value=0)
    session.execute(stmt)


def next_value(session: Session, name: str) -> int:
    """The counter's next value. The UPDATE takes the row lock until the transaction ends, so the
    number is neither shared nor skipped whatever else runs at the same time."""
    _ensure_counter(session, name)
    value = session.execute(
        update(Sequence)
        .where(Sequence.name == name)
        .values(value=Sequence.value + 1)
        .returning(Sequence.value)
    ).scalar_one()
    return int(value)


def peek_value(session: Session, name: str) -> int:
    """The last value handed out (0 if none); for reports and tests."""
    return int(session.scalar(select(Sequence.value).where(Sequence.name == name)) or 0)


def certificate_counter(kind: CertificateKind, year: int) -> str:
    return f"cert:{kind.value}:{year}"


def case_counter(day: date) -> str:
    return f"case:{day:%Y%m%d}"


def allocate_certificate_number(session: Session, kind: CertificateKind, year: int) -> tuple[str, int]:
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
