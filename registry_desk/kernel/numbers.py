"""Allocating case numbers and certificate/证明 numbers from the `sequences` counters, inside the caller's
transaction, so a rolled-back case leaves no gap and two windows never get the same number."""

from __future__ import annotations

from datetime import date
from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import CertificateKind
from registry_desk.domain.errors import RuleViolation
from registry_desk.storage.driver_sql import Driver, driver
from registry_desk.storage.hall import numbers as counters
from registry_desk.storage.session import Session

CASE_NUMBER_LIMIT = 9999


def next_value(session: Session | Driver, name: str) -> int:
    """The counter's next value. The UPDATE takes the row lock until the transaction ends, so the
    number is neither shared nor skipped whatever else runs at the same time."""
    handle = driver(session)
    value = counters.advance_counter(handle, name)
    if value is None:
        # The first number of a new counter (a new day, kind or year).
        counters.create_counter(handle, name)
        value = counters.advance_counter(handle, name)
        assert value is not None
    return value


def peek_value(session: Session, name: str) -> int:
    """The last value handed out (0 if none); for reports and tests."""
    return counters.counter_value(session, name)


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
