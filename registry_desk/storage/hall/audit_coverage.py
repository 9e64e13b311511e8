"""The queries of the audit-coverage checks (operations/audit_coverage.py): business rows without the audit
event that must have been written in the same transaction.

Each is an anti-join (NOT EXISTS) on audit_events' indexed case_id, so the cost follows the number of cases,
orders and refunds, never the number of units; each returns the count and the first few records by name.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Table, and_, exists, func, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus
from registry_desk.storage.schema import full_metadata
from registry_desk.storage.tables import AuditEvent, Case, Certificate


def _table(name: str) -> Table:
    return full_metadata().tables[name]


def _event(case_id: Any, actions: Collection[str], record: Any = None) -> Any:
    condition = and_(AuditEvent.case_id == case_id, AuditEvent.action.in_(list(actions)))
    if record is not None:
        condition = and_(condition, AuditEvent.record == record)
    return exists().where(condition)


def _count_and_sample(
    session: Session, table: Any, label: Any, where: Any, order: Any, limit: int
) -> tuple[int, list[str]]:
    total = int(session.execute(select(func.count()).select_from(table).where(where)).scalar_one())
    if not total:
        return 0, []
    rows = (
        session.execute(select(label).select_from(table).where(where).order_by(order).limit(limit))
        .scalars()
        .all()
    )
    return total, [str(r) for r in rows]


def recorded_cases_without_event(
    session: Session, statuses: Collection[CaseStatus], action: str, limit: int
) -> tuple[int, list[str]]:
    """Cases at or past 登簿 without their recording event."""
    where = and_(Case.status.in_(list(statuses)), ~_event(Case.id, [action]))
    return _count_and_sample(session, Case, Case.case_number, where, Case.id, limit)


def certificates_without_event(session: Session, action: str, limit: int) -> tuple[int, list[str]]:
    """Certificates this system issued (they name their case) whose case has no recording event."""
    where = and_(Certificate.case_id.is_not(None), ~_event(Certificate.case_id, [action]))
    return _count_and_sample(session, Certificate, Certificate.number, where, Certificate.id, limit)


def handed_over_without_event(session: Session, action: str, limit: int) -> tuple[int, list[str]]:
    """Certificates marked handed over (发证) whose case has no hand-over event."""
    where = and_(
        Certificate.case_id.is_not(None),
        Certificate.handed_over_at.is_not(None),
        ~_event(Certificate.case_id, [action]),
    )
    return _count_and_sample(session, Certificate, Certificate.number, where, Certificate.id, limit)


def settled_orders_without_event(
    session: Session, statuses: Collection[str], action: str, limit: int
) -> tuple[int, list[str]]:
    """Orders settled (or settled and since refunded) without their settlement event."""
    orders = _table("payment_orders")
    where = and_(orders.c.status.in_(list(statuses)), ~_event(orders.c.case_id, [action], orders.c.order_no))
    return _count_and_sample(session, orders, orders.c.order_no, where, orders.c.id, limit)


def refunds_without_event(session: Session, actions: Collection[str], limit: int) -> tuple[int, list[str]]:
    """Refund records (a refund, or the full return of a payment that did not match) without their event."""
    refunds, orders = _table("payment_refunds"), _table("payment_orders")
    joined = refunds.join(orders, orders.c.id == refunds.c.order_id)
    where = ~_event(refunds.c.case_id, actions, orders.c.order_no)
    return _count_and_sample(session, joined, refunds.c.refund_no, where, refunds.c.id, limit)
