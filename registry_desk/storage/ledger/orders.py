"""Payment orders and their lines: the reads, locks and writes issuing, settling, voiding and refunding need.

Lock order, wherever both are taken: the case first, then its orders (create_orders, settlement, refunds and
the cash override all take them so). Settlement's statements are compiled once and run on the unit of
work's driver connection (`Driver`): a payment is booked by a dozen small statements, and the ORM's cost
per statement would be most of the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import OPEN, REFUNDED, REVIEW, SETTLED, VOIDED
from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.ledger.tables import PaymentOrder, PaymentOrderLine
from registry_desk.storage.tables import Case, CaseParty

# ---------------------------------------------------------------------------------------------------------
# The case an order belongs to


def lock_case(session: Session, case_id: int) -> Case | None:
    """The case row, locked (FOR UPDATE) for issuing or refunding its orders; None when there is none."""
    return session.execute(select(Case).where(Case.id == case_id).with_for_update()).scalar_one_or_none()


def case_by_number(session: Session, case_number: str) -> Case | None:
    return session.execute(select(Case).where(Case.case_number == case_number)).scalar_one_or_none()


def case_with_parties(session: Session, case_number: str) -> Case | None:
    """The case with its parties (and their persons) and its unit loaded: what its quote is made from."""
    return session.execute(
        select(Case)
        .where(Case.case_number == case_number)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
    ).scalar_one_or_none()


def reloaded_case(session: Session, case_id: int) -> Case | None:
    """The case as the database has it now (the session's copy refreshed), after compiled statements."""
    return session.get(Case, case_id, populate_existing=True)


# ---------------------------------------------------------------------------------------------------------
# Orders


def order_by_id(session: Session, order_id: int) -> PaymentOrder | None:
    return session.get(PaymentOrder, order_id)


def lock_live_order(session: Session, case_id: int, side: str) -> PaymentOrder | None:
    """The side's live order (open, under review or settled), locked; None when the side has none."""
    return session.execute(
        select(PaymentOrder).where(PaymentOrder.live_key == f"{case_id}:{side}").with_for_update()
    ).scalar_one_or_none()


def lock_order(session: Session, order_no: str) -> PaymentOrder:
    """The order, locked and read afresh (another window may have changed it since this session read it)."""
    return session.execute(
        select(PaymentOrder)
        .where(PaymentOrder.order_no == order_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def case_id_of_order(session: Session, order_no: str) -> int:
    return session.execute(select(PaymentOrder.case_id).where(PaymentOrder.order_no == order_no)).scalar_one()


def orders_of_case(session: Session, case_id: int, *, include_voided: bool = False) -> list[PaymentOrder]:
    """The case's orders in the order they were issued; voided ones only when asked for."""
    query = select(PaymentOrder).where(PaymentOrder.case_id == case_id).order_by(PaymentOrder.id)
    if not include_voided:
        query = query.where(PaymentOrder.status != VOIDED)
    return list(session.execute(query).scalars())


def live_orders_of_case(session: Session, case_id: int) -> list[PaymentOrder]:
    """The case's orders that hold their side (open, under review, settled)."""
    return list(
        session.execute(
            select(PaymentOrder).where(PaymentOrder.case_id == case_id, PaymentOrder.live_key.is_not(None))
        ).scalars()
    )


def open_order_numbers_of_case(session: Session, case_id: int) -> list[str]:
    return list(
        session.execute(
            select(PaymentOrder.order_no).where(PaymentOrder.case_id == case_id, PaymentOrder.status == OPEN)
        ).scalars()
    )


def lock_open_orders_of_case(session: Session, case_id: int) -> list[PaymentOrder]:
    """The case's open orders, locked (FOR UPDATE): the cash override voids them in its transaction."""
    return list(
        session.execute(
            select(PaymentOrder)
            .where(PaymentOrder.case_id == case_id, PaymentOrder.status == OPEN)
            .with_for_update()
        ).scalars()
    )


def disputed_order_of_case(session: Session, case_id: int) -> tuple[str, str] | None:
    """(order number, status) of an order of the case under review (a disputed payment), if there is one."""
    row = session.execute(
        select(PaymentOrder.order_no, PaymentOrder.status).where(
            PaymentOrder.case_id == case_id, PaymentOrder.status == REVIEW
        )
    ).first()
    return None if row is None else (row[0], row[1])


def settled_or_refunded_orders_of_case(session: Session, case_id: int) -> list[tuple[str, Money, str]]:
    """(order number, amount, status) of the case's orders that took money, in the order they were issued."""
    rows = session.execute(
        select(PaymentOrder.order_no, PaymentOrder.amount, PaymentOrder.status)
        .where(PaymentOrder.case_id == case_id, PaymentOrder.status.in_([SETTLED, REFUNDED]))
        .order_by(PaymentOrder.id)
    ).all()
    return [(no, amount, status) for no, amount, status in rows]


def case_ids_of_orders(session: Session, order_nos: Iterable[str]) -> set[int]:
    return set(
        session.execute(
            select(PaymentOrder.case_id).where(PaymentOrder.order_no.in_(list(order_nos)))
        ).scalars()
    )


def pollable_order_numbers(session: Session, channel: str, expired_since: datetime) -> list[str]:
    """The channel's open orders that have not expired before `expired_since`, in the order issued."""
    return list(
        session.execute(
            select(PaymentOrder.order_no)
            .where(
                PaymentOrder.status == OPEN,
                PaymentOrder.channel == channel,
                PaymentOrder.expires_at > expired_since,
            )
            .order_by(PaymentOrder.id)
        ).scalars()
    )


def orders_under_review(session: Session) -> list[PaymentOrder]:
    return list(session.execute(select(PaymentOrder).where(PaymentOrder.status == REVIEW)).scalars())


# Compiled once: recording a case asks it inside its write transaction, on the driver connection.
_COUNTING_ORDERS = Prepared(
    select(PaymentOrder.order_no, PaymentOrder.status, PaymentOrder.amount)
    .where(PaymentOrder.case_id == bindparam("case"), PaymentOrder.status != VOIDED)
    .order_by(PaymentOrder.id)
)


def counting_orders_of_case(source: Session | Driver, case_id: int) -> list[tuple[str, str, Money]]:
    """(order number, status, amount) of every order of the case that counts (all but the voided ones)."""
    return _COUNTING_ORDERS.rows(source, case=case_id)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------------
# Settlement's compiled statements (one call each, on the driver connection of the unit of work)

_orders = cast(Table, PaymentOrder.__table__)
_lines = cast(Table, PaymentOrderLine.__table__)

_ORDER_CASE = Prepared(select(PaymentOrder.case_id).where(PaymentOrder.order_no == bindparam("order_no")))
_LOCK_CASE = Prepared(
    select(Case.id, Case.case_number, Case.status).where(Case.id == bindparam("case")).with_for_update()
)
_LOCK_ORDER = Prepared(
    select(
        PaymentOrder.id,
        PaymentOrder.order_no,
        PaymentOrder.case_id,
        PaymentOrder.status,
        PaymentOrder.amount,
        PaymentOrder.channel_txn_id,
    )
    .where(PaymentOrder.order_no == bindparam("order_no"))
    .with_for_update()
)
_ORDER_LINES = Prepared(
    select(
        PaymentOrderLine.id,
        PaymentOrderLine.kind,
        PaymentOrderLine.account,
        PaymentOrderLine.item,
        PaymentOrderLine.item_code,
        PaymentOrderLine.quantity,
        PaymentOrderLine.standard,
        PaymentOrderLine.rate,
        PaymentOrderLine.amount,
        PaymentOrderLine.ref,
        PaymentOrderLine.taxpayer_name,
        PaymentOrderLine.taxpayer_id,
    )
    .where(PaymentOrderLine.order_id == bindparam("order"))
    .order_by(PaymentOrderLine.position, PaymentOrderLine.id)
)
_PAY_ORDER = Prepared(
    update(_orders).where(_orders.c.id == bindparam("order")),
    keys=("status", "channel_txn_id", "paid_amount", "paid_at", "settled_at", "review_reason"),
)
_CREDIT_LINES = Prepared(
    update(_lines).where(_lines.c.order_id == bindparam("order")), keys=("credit_status", "credited_at")
)
_CASE_ORDERS = Prepared(
    select(PaymentOrder.status, PaymentOrder.amount).where(
        PaymentOrder.case_id == bindparam("case"), PaymentOrder.status != VOIDED
    )
)


def case_id_of_order_number(sql: Driver, order_no: str) -> int | None:
    """The case of the order numbered `order_no`; None when no such order was issued here."""
    row = _ORDER_CASE.first(sql, order_no=order_no)
    return None if row is None else int(row[0])


def lock_case_head(sql: Driver, case_id: int) -> tuple[Any, ...]:
    """(id, case number, status) of the case, locked (FOR UPDATE)."""
    return _LOCK_CASE.rows(sql, case=case_id)[0]


def lock_order_head(sql: Driver, order_no: str) -> tuple[Any, ...]:
    """(id, order number, case id, status, amount, channel transaction id) of the order, locked."""
    return _LOCK_ORDER.rows(sql, order_no=order_no)[0]


def order_line_rows(sql: Driver, order_id: int) -> list[tuple[Any, ...]]:
    """(id, kind, account, item, item code, quantity, standard, rate, amount, ref, taxpayer name, taxpayer
    id) of the order's lines, in their order."""
    return _ORDER_LINES.rows(sql, order=order_id)


def set_order_payment(
    sql: Driver,
    order_id: int,
    *,
    status: str,
    channel_txn_id: str,
    paid_amount: Money,
    paid_at: datetime,
    settled_at: datetime | None,
    review_reason: str | None,
) -> None:
    """Writes what the channel reported on the order (and its new status)."""
    _PAY_ORDER.execute(
        sql,
        order=order_id,
        status=status,
        channel_txn_id=channel_txn_id,
        paid_amount=paid_amount,
        paid_at=paid_at,
        settled_at=settled_at,
        review_reason=review_reason,
    )


def set_lines_credit(sql: Driver, order_id: int, credit_status: str, credited_at: datetime | None) -> None:
    """Sets the 入库 status of every line of the order."""
    _CREDIT_LINES.execute(sql, order=order_id, credit_status=credit_status, credited_at=credited_at)


def counted_order_amounts(sql: Driver, case_id: int) -> list[tuple[str, Money]]:
    """(status, amount) of every order of the case that counts (all but the voided ones)."""
    return _CASE_ORDERS.rows(sql, case=case_id)  # type: ignore[return-value]
