"""Receipt records (电子完税凭证, 登记费电子票据 and their 冲红 bills) and the documents attached to them.

Settlement inserts a settled order's receipt records by one compiled executemany on the driver connection;
the sealed PDFs follow in transactions of their own, each taking its receipt's row lock.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.ledger.tables import PaymentOrder, PaymentOrderLine, PaymentReceipt
from registry_desk.storage.tables import Attachment, Case

_RECEIPT_KEYS = (
    "kind",
    "case_id",
    "order_id",
    "number",
    "bill_code",
    "check_code",
    "payer_name",
    "payer_id",
    "amount",
    "issued_at",
    "lines",
    "status",
    "red_of_id",
    "attachment_id",
)
_INSERT_RECEIPT = Prepared(insert(cast(Table, PaymentReceipt.__table__)), keys=_RECEIPT_KEYS)


def insert_receipts(sql: Driver, rows: list[dict[str, Any]]) -> None:
    """Inserts receipt records, each a dict of every column but the id."""
    _INSERT_RECEIPT.execute_many(sql, rows)


def receipts_of_case(session: Session, case_id: int) -> list[tuple[PaymentReceipt, str]]:
    """(receipt, its order's number) of every receipt of the case, in the order issued."""
    rows = session.execute(
        select(PaymentReceipt, PaymentOrder.order_no)
        .join(PaymentOrder, PaymentOrder.id == PaymentReceipt.order_id)
        .where(PaymentReceipt.case_id == case_id)
        .order_by(PaymentReceipt.id)
    ).all()
    return [(receipt, order_no) for receipt, order_no in rows]


def receipt_by_id(session: Session, receipt_id: int) -> PaymentReceipt | None:
    return session.get(PaymentReceipt, receipt_id)


def lock_receipt(session: Session, receipt_id: int) -> PaymentReceipt:
    return session.execute(
        select(PaymentReceipt).where(PaymentReceipt.id == receipt_id).with_for_update()
    ).scalar_one()


def receipts_without_document(session: Session, case_id: int) -> list[int]:
    """Ids of the case's receipts that have no PDF attached yet."""
    return list(
        session.execute(
            select(PaymentReceipt.id).where(
                PaymentReceipt.case_id == case_id, PaymentReceipt.attachment_id.is_(None)
            )
        ).scalars()
    )


def cases_with_receipts_without_document(session: Session) -> list[int]:
    """Ids of every case with a receipt that has no PDF attached, oldest receipt first: what a poll renders
    after a process was killed between settling and rendering."""
    first = func.min(PaymentReceipt.id)
    return list(
        session.execute(
            select(PaymentReceipt.case_id)
            .where(PaymentReceipt.attachment_id.is_(None))
            .group_by(PaymentReceipt.case_id)
            .order_by(first)
        ).scalars()
    )


def valid_receipts_of_order(session: Session, order_id: int) -> list[PaymentReceipt]:
    return list(
        session.execute(
            select(PaymentReceipt).where(
                PaymentReceipt.order_id == order_id, PaymentReceipt.status == "valid"
            )
        ).scalars()
    )


def fee_payment_code(session: Session, order_id: int) -> str | None:
    """The order's 非税缴款码 (the ref of its first fee line); None when it has no fee line."""
    return (
        session.execute(
            select(PaymentOrderLine.ref).where(
                PaymentOrderLine.order_id == order_id, PaymentOrderLine.kind == "fee"
            )
        )
        .scalars()
        .first()
    )


def receipt_parents(session: Session, receipt: PaymentReceipt) -> tuple[PaymentOrder, Case]:
    """The order and the case a receipt belongs to (from the session's identity map when loaded)."""
    order = session.get(PaymentOrder, receipt.order_id)
    case = session.get(Case, receipt.case_id)
    assert order is not None and case is not None
    return order, case


def attachment_by_id(session: Session, attachment_id: int) -> Attachment | None:
    return session.get(Attachment, attachment_id)
