"""The load test's and the fault proof's reads (demo/loadtest/): the counters before a run, the cases a
window may take next, and what the auditor's checks afterwards read from the register, the books and the
audit trail.

The payment and ledger tables (storage/ledger/tables.py) are taken from the shared metadata by name, as
storage/schema.py maps every table module onto it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select, text
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus, CertificateKind, RightStatus, RightType
from registry_desk.storage.schema import full_metadata
from registry_desk.storage.tables import AuditEvent, Case, Certificate, Right
from registry_desk.storage.tables import Sequence as Counter

# What a fault-proof child imports from the driver's side before it forks (forkserver preload).
DRIVER_MODULES = ("psycopg", "sqlalchemy.dialects.postgresql.psycopg")


def _table(name: str) -> Table:
    return full_metadata().tables[name]


def counter_values(source: Session | Connection) -> dict[str, int]:
    """{name: value} of every number counter."""
    return {name: int(value) for name, value in source.execute(select(Counter.name, Counter.value))}


def sqlite_integrity(session: Session) -> str:
    """SQLite's full integrity check: "ok", or what is wrong."""
    return str(session.execute(text("PRAGMA integrity_check")).scalar_one())


def certificate_numbers(session: Session) -> Sequence[Row[CertificateKind, int, int]]:
    """(kind, year, seq) of every certificate."""
    return session.execute(select(Certificate.kind, Certificate.year, Certificate.seq)).all()


def case_numbers(session: Session) -> Sequence[str]:
    return session.scalars(select(Case.case_number)).all()


def units_with_several_ownerships(session: Session) -> Sequence[Row[int, int]]:
    """(unit id, how many) of units with more than one current ownership."""
    return session.execute(
        select(Right.unit_id, func.count())
        .where(Right.right_type == RightType.OWNERSHIP, Right.status == RightStatus.CURRENT)
        .group_by(Right.unit_id)
        .having(func.count() > 1)
    ).all()


def units_with_several_cases_in(
    session: Session, statuses: Collection[CaseStatus]
) -> Sequence[Row[int, int]]:
    """(unit id, how many) of units with more than one case in `statuses`."""
    return session.execute(
        select(Case.unit_id, func.count())
        .where(Case.status.in_(list(statuses)))
        .group_by(Case.unit_id)
        .having(func.count() > 1)
    ).all()


def case_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def orders_settled_more_than_once(session: Session) -> Sequence[Row[int, int]]:
    """(order id, how many) of orders with more than one settlement entry."""
    entries = _table("ledger_entries")
    return session.execute(
        select(entries.c.order_id, func.count())
        .where(entries.c.kind == "settlement")
        .group_by(entries.c.order_id)
        .having(func.count() > 1)
    ).all()


def orders_with_payment_outcome(session: Session, outcome: str) -> set[int | None]:
    """Order ids of the channel's payments with this outcome."""
    txns = _table("channel_transactions")
    return set(session.scalars(select(txns.c.order_id).where(txns.c.outcome == outcome)))


def orders_with_entry_kind(session: Session, kind: str) -> set[int]:
    """Order ids of the journal entries of this kind."""
    entries = _table("ledger_entries")
    return set(session.scalars(select(entries.c.order_id).where(entries.c.kind == kind)))


def orders_in_status(session: Session, statuses: Collection[str]) -> set[int]:
    orders = _table("payment_orders")
    return set(session.scalars(select(orders.c.id).where(orders.c.status.in_(list(statuses)))))


def postings(session: Session) -> Sequence[Row[int, Any, Any]]:
    """(entry id, debit, credit) of every posting, as Money."""
    table = _table("ledger_postings")
    return session.execute(select(table.c.entry_id, table.c.debit, table.c.credit)).all()


def cases_in(connection: Connection, statuses: Collection[CaseStatus]) -> Sequence[Row[str, CaseStatus]]:
    """(number, status) of the cases in `statuses`."""
    return connection.execute(
        select(Case.case_number, Case.status).where(Case.status.in_(list(statuses)))
    ).all()


def case_statuses(session: Session) -> dict[str, CaseStatus]:
    """{case number: status} of every case."""
    return {number: status for number, status in session.execute(select(Case.case_number, Case.status))}


def order_statuses_of_cases(session: Session) -> Sequence[Row[str, str]]:
    """(case number, order status) of every payment order."""
    orders = _table("payment_orders")
    return session.execute(
        select(Case.case_number, orders.c.status).join(orders, orders.c.case_id == Case.id)
    ).all()


def certificate_handovers(session: Session) -> Sequence[Row[str, datetime | None]]:
    """(case number, handed over at) of every certificate made by a case."""
    return session.execute(
        select(Case.case_number, Certificate.handed_over_at).join(Case, Case.id == Certificate.case_id)
    ).all()


def receipt_numbers(session: Session) -> Sequence[str]:
    table = _table("payment_receipts")
    return session.scalars(select(table.c.number)).all()


def orders_in_status_count(session: Session, status: str) -> int:
    orders = _table("payment_orders")
    return session.scalar(select(func.count()).where(orders.c.status == status)) or 0


def audit_events_count(session: Session, action: str, actor: str) -> int:
    """How many events of this action this account wrote."""
    return (
        session.scalar(select(func.count()).where(AuditEvent.action == action, AuditEvent.actor == actor))
        or 0
    )


def intake_cases(session: Session) -> Sequence[Row[str, CaseStatus]]:
    """(number, status) of the cases that are not the demo's and name no accepting account (the load test's
    windows accept without one)."""
    return session.execute(
        select(Case.case_number, Case.status).where(Case.accepted_by.is_(None), Case.demo.is_(False))
    ).all()
