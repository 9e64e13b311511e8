"""What reconciliation reads of a day's bookings, in three queries whatever the day's volume.

Amounts stay plain integers of fen here: building 100,000 Money objects would cost more than the matching.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import type_coerce
from sqlalchemy.orm import Session

from registry_desk.domain.money import Money
from registry_desk.storage.ledger.tables import (
    ChannelTransaction,
    LedgerEntry,
    PaymentOrder,
    PaymentOrderLine,
    PaymentRefund,
)
from registry_desk.storage.ledger.writer import SETTLEMENT

Booked = dict[str, tuple[str, int]]


def booked_of_day(
    session: Session, channel: str, start: datetime, end: datetime, settled: str
) -> tuple[Booked, Booked, dict[str, Money]]:
    """The payments booked from `start` to `end` (transactions of outcome `settled`) and the refunds, each as
    {transaction id: (order no, fen)}, and the totals per account of the settled orders' lines."""
    fen = BigInteger()
    conn = session.connection()
    payments = {
        txn_id: (order_no, int(amount))
        for txn_id, order_no, amount in conn.execute(
            select(
                ChannelTransaction.txn_id,
                ChannelTransaction.order_no,
                type_coerce(ChannelTransaction.amount, fen),
            ).where(
                ChannelTransaction.channel == channel,
                ChannelTransaction.outcome == settled,
                ChannelTransaction.paid_at >= start,
                ChannelTransaction.paid_at < end,
            )
        )
    }
    refunds = {
        refund_id: (order_no, int(amount))
        for refund_id, order_no, amount in conn.execute(
            select(
                PaymentRefund.channel_refund_id,
                PaymentOrder.order_no,
                type_coerce(PaymentRefund.amount, fen),
            )
            .join(PaymentOrder, PaymentOrder.id == PaymentRefund.order_id)
            .where(
                PaymentOrder.channel == channel,
                PaymentRefund.refunded_at >= start,
                PaymentRefund.refunded_at < end,
            )
        )
    }
    # Per-account totals come from the settlement lines themselves (never recomputed separately).
    totals = {
        account: Money.of_fen(int(total or 0))
        for account, total in conn.execute(
            select(PaymentOrderLine.account, func.sum(type_coerce(PaymentOrderLine.amount, fen)))
            .join(PaymentOrder, PaymentOrder.id == PaymentOrderLine.order_id)
            .join(
                ChannelTransaction,
                (ChannelTransaction.order_id == PaymentOrder.id)
                & (ChannelTransaction.txn_id == PaymentOrder.channel_txn_id),
            )
            .where(
                ChannelTransaction.channel == channel,
                ChannelTransaction.outcome == settled,
                ChannelTransaction.paid_at >= start,
                ChannelTransaction.paid_at < end,
            )
            .group_by(PaymentOrderLine.account)
        )
    }
    return payments, refunds, totals


def ledger_of_day(
    session: Session, channel: str, start: datetime, end: datetime, settled: str
) -> dict[str, tuple[str | None, int]]:
    """The settlement entries of the day, as {order no: (the transaction the order says paid it, or None;
    the entry's total in fen)}: entries of `channel`'s orders paid from `start` to `end` by the channel's
    settled transaction, and entries posted in that time whose order has no settled transaction at all.

    Read from the journal itself, not from the channel's records, so that an entry whose amount was changed,
    or one booked without any payment, is compared with the statement too."""
    fen = BigInteger()
    txn = (
        select(ChannelTransaction.order_id, ChannelTransaction.paid_at)
        .where(ChannelTransaction.channel == channel, ChannelTransaction.outcome == settled)
        .subquery()
    )
    rows = session.connection().execute(
        select(PaymentOrder.order_no, PaymentOrder.channel_txn_id, type_coerce(LedgerEntry.total, fen))
        .join(PaymentOrder, PaymentOrder.id == LedgerEntry.order_id)
        .outerjoin(txn, txn.c.order_id == PaymentOrder.id)
        .where(
            LedgerEntry.kind == SETTLEMENT,
            PaymentOrder.channel == channel,
            or_(
                and_(txn.c.paid_at >= start, txn.c.paid_at < end),
                and_(txn.c.order_id.is_(None), LedgerEntry.posted_at >= start, LedgerEntry.posted_at < end),
            ),
        )
    )
    return {order_no: (txn_id, int(total)) for order_no, txn_id, total in rows}


def transaction_note(session: Session, channel: str, txn_id: str, outcome: str) -> str | None:
    """The note of the channel's transaction when it has `outcome`, None otherwise."""
    return session.scalar(
        select(ChannelTransaction.note).where(
            ChannelTransaction.channel == channel,
            ChannelTransaction.txn_id == txn_id,
            ChannelTransaction.outcome == outcome,
        )
    )


def load_statement_table(session: Session, name: str, rows: Iterable[dict[str, Any]]) -> None:
    """The reconciliation benchmark's baseline (demo/benchmarks/payment_figures.py): creates table `name`
    for statement lines (kind, order_no, txn_id, amount_fen, at) and inserts `rows` into it."""
    table = Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("kind", String(16)),
        Column("order_no", String(32)),
        Column("txn_id", String(64)),
        Column("amount_fen", BigInteger),
        Column("at", DateTime(timezone=True)),
    )
    conn = session.connection()
    table.create(conn)
    conn.execute(insert(table), list(rows))


def insert_booked_day_plainly(session: Session, case_id: int, rows: list[dict[str, Any]]) -> None:
    """The reconciliation benchmark's register (demo/benchmarks/payment_figures.py): for each of `rows`
    (order_no, txn_id, amount, at) a settled order of `case_id`, the channel's settled payment of it and its
    settlement entry, inserted as they are by three bulk statements (no lines, receipts or audit)."""
    conn = session.connection()
    conn.execute(
        insert(PaymentOrder),
        [
            {
                "order_no": r["order_no"],
                "case_id": case_id,
                "side": "buyer",
                "order_type": 0,
                "status": "settled",
                "amount": r["amount"],
                "channel": "local",
                "created_at": r["at"],
                "expires_at": r["at"],
                "created_by": "benchmark",
                "channel_txn_id": r["txn_id"],
                "paid_amount": r["amount"],
                "paid_at": r["at"],
                "settled_at": r["at"],
            }
            for r in rows
        ],
    )
    numbers = [r["order_no"] for r in rows]
    ids = dict(
        conn.execute(
            select(PaymentOrder.order_no, PaymentOrder.id).where(PaymentOrder.order_no.in_(numbers))
        ).all()
    )
    conn.execute(
        insert(ChannelTransaction),
        [
            {
                "channel": "local",
                "txn_id": r["txn_id"],
                "order_no": r["order_no"],
                "order_id": ids[r["order_no"]],
                "amount": r["amount"],
                "paid_at": r["at"],
                "received_at": r["at"],
                "source": "poll",
                "outcome": "settled",
            }
            for r in rows
        ],
    )
    conn.execute(
        insert(LedgerEntry),
        [
            {
                "kind": SETTLEMENT,
                "order_id": ids[r["order_no"]],
                "case_id": case_id,
                "memo": r["order_no"],
                "total": r["amount"],
                "posted_at": r["at"],
            }
            for r in rows
        ],
    )
