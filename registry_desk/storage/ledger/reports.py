"""The reports' reads: every figure comes from the ledger postings (never from a separate count)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry_desk.storage.ledger.tables import (
    LedgerEntry,
    LedgerPosting,
    PaymentOrder,
    PaymentOrderLine,
    PaymentRefund,
)
from registry_desk.storage.tables import Case


def line_postings_of_period(session: Session, since: datetime, until: datetime) -> list[tuple[Any, ...]]:
    """(account, item, entry kind, debit, credit) of every posting on an order line in [since, until)."""
    rows = session.execute(
        select(
            LedgerPosting.account,
            PaymentOrderLine.item,
            LedgerEntry.kind,
            LedgerPosting.debit,
            LedgerPosting.credit,
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
        .join(PaymentOrderLine, PaymentOrderLine.id == LedgerPosting.line_id)
        .where(LedgerEntry.posted_at >= since, LedgerEntry.posted_at < until)
    ).all()
    return [tuple(row) for row in rows]


def orders_of_day(session: Session, start: datetime, end: datetime) -> list[tuple[PaymentOrder, str]]:
    """(order, case number) of the orders issued or settled in [start, end), in the order issued."""
    rows = session.execute(
        select(PaymentOrder, Case.case_number)
        .join(Case, Case.id == PaymentOrder.case_id)
        .where(
            ((PaymentOrder.created_at >= start) & (PaymentOrder.created_at < end))
            | ((PaymentOrder.settled_at >= start) & (PaymentOrder.settled_at < end))
        )
        .order_by(PaymentOrder.created_at, PaymentOrder.id)
    ).all()
    return [(order, number) for order, number in rows]


def first_payers(session: Session, order_ids: list[int]) -> dict[int, str]:
    """{order id: taxpayer name of its first line} (none asked for, none read)."""
    if not order_ids:
        return {}
    return {
        order_id: name
        for order_id, name in session.execute(
            select(PaymentOrderLine.order_id, PaymentOrderLine.taxpayer_name).where(
                PaymentOrderLine.order_id.in_(order_ids), PaymentOrderLine.position == 1
            )
        ).all()
    }


def account_postings_of_day(
    session: Session, start: datetime, end: datetime, accounts: Iterable[str]
) -> list[tuple[Any, ...]]:
    """(account, entry kind, debit, credit, posted at) of the postings on `accounts` in [start, end)."""
    rows = session.execute(
        select(
            LedgerPosting.account,
            LedgerEntry.kind,
            LedgerPosting.debit,
            LedgerPosting.credit,
            LedgerEntry.posted_at,
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
        .where(
            LedgerEntry.posted_at >= start,
            LedgerEntry.posted_at < end,
            LedgerPosting.account.in_(list(accounts)),
        )
    ).all()
    return [tuple(row) for row in rows]


def refunds_of_day(session: Session, start: datetime, end: datetime) -> list[tuple[PaymentRefund, str, str]]:
    """(refund, case number, order number) of the refunds in [start, end), in time order."""
    rows = session.execute(
        select(PaymentRefund, Case.case_number, PaymentOrder.order_no)
        .join(Case, Case.id == PaymentRefund.case_id)
        .join(PaymentOrder, PaymentOrder.id == PaymentRefund.order_id)
        .where(PaymentRefund.refunded_at >= start, PaymentRefund.refunded_at < end)
        .order_by(PaymentRefund.refunded_at)
    ).all()
    return [(refund, number, order_no) for refund, number, order_no in rows]


def cases_with_orders_of_status(
    session: Session, order_status: str, case_statuses: Iterable[Any]
) -> list[str]:
    """Numbers of the cases in one of `case_statuses` that have an order of `order_status`, sorted."""
    return list(
        session.execute(
            select(Case.case_number)
            .join(PaymentOrder, PaymentOrder.case_id == Case.id)
            .where(PaymentOrder.status == order_status, Case.status.in_(list(case_statuses)))
            .distinct()
            .order_by(Case.case_number)
        ).scalars()
    )
