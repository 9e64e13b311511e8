"""Reads and locks of returning a disputed payment (an order held for review, payments/review.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry_desk.storage.ledger.tables import PaymentOrder, PaymentRefund
from registry_desk.storage.tables import Case


def order_for_return(session: Session, order_no: str) -> tuple[Any, ...] | None:
    """(status, paid amount, channel, case number) of the order; None when there is no such order."""
    row = session.execute(
        select(PaymentOrder.status, PaymentOrder.paid_amount, PaymentOrder.channel, Case.case_number)
        .join(Case, Case.id == PaymentOrder.case_id)
        .where(PaymentOrder.order_no == order_no)
    ).first()
    return None if row is None else tuple(row)


def refund_id(session: Session, refund_no: str) -> int | None:
    """The id of the refund numbered `refund_no`, None when it has not been booked."""
    return session.scalar(select(PaymentRefund.id).where(PaymentRefund.refund_no == refund_no))


def lock_case_of_order(session: Session, order_no: str) -> Case:
    """The case of the order, locked (FOR UPDATE): taken before the order, as everywhere."""
    return session.execute(
        select(Case)
        .join(PaymentOrder, PaymentOrder.case_id == Case.id)
        .where(PaymentOrder.order_no == order_no)
        .with_for_update()
    ).scalar_one()
