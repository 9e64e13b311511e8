"""What reconciliation reads of a day's bookings, in three queries whatever the day's volume.

Amounts stay plain integers of fen here: building 100,000 Money objects would cost more than the matching.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy import type_coerce
from sqlalchemy.orm import Session

from registry_desk.domain.money import Money
from registry_desk.storage.ledger.tables import (
    ChannelTransaction,
    PaymentOrder,
    PaymentOrderLine,
    PaymentRefund,
)

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
