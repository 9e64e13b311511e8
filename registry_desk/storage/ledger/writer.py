"""The one writer of the ledger: a journal entry and its postings, written by compiled statements.

Settlement (a payment booked) and refunds (its reversal) both write through `write_entry`, on the unit of
work's driver connection: one INSERT … RETURNING for the entry, one executemany for its postings, whatever
the number of lines. The entry reaches it as a `JournalEntry`, which cannot exist unbalanced, so the books
balance by construction; unique (kind, order) on the entries table keeps an order settled, and refunded, at
most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from registry_desk.domain.ledger import JournalEntry
from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.ledger.tables import (
    ChannelTransaction,
    LedgerEntry,
    LedgerPosting,
    PaymentOrder,
    PaymentReceipt,
)
from registry_desk.storage.session import Session

_ENTRY_KEYS = ("kind", "order_id", "case_id", "memo", "total", "posted_at", "reverses_id")
_entries = cast(Table, LedgerEntry.__table__)
_INSERT_ENTRY = Prepared(insert(_entries).returning(_entries.c.id), keys=_ENTRY_KEYS)
_INSERT_POSTING = Prepared(
    insert(cast(Table, LedgerPosting.__table__)),
    keys=("entry_id", "account", "debit", "credit", "ref", "line_id"),
)

SETTLEMENT = "settlement"
REFUND = "refund"


def write_entry(
    sql: Driver,
    *,
    kind: str,
    order_id: int,
    case_id: int,
    entry: JournalEntry,
    posted_at: datetime,
    line_ids: Sequence[int | None],
    reverses_id: int | None = None,
) -> int:
    """Writes `entry` (kind `settlement` or `refund`) of the order with one posting per posting of the entry,
    each pointing at the order line of the same position in `line_ids` (None for the clearing account);
    returns the new entry's id."""
    entry_id = int(
        _INSERT_ENTRY.rows(
            sql,
            kind=kind,
            order_id=order_id,
            case_id=case_id,
            memo=entry.memo[:256],
            total=entry.total,
            posted_at=posted_at,
            reverses_id=reverses_id,
        )[0][0]
    )
    _INSERT_POSTING.execute_many(
        sql,
        [
            {
                "entry_id": entry_id,
                "account": posting.account,
                "debit": posting.debit,
                "credit": posting.credit,
                "ref": posting.ref,
                "line_id": line_id,
            }
            for posting, line_id in zip(entry.postings, line_ids, strict=True)
        ],
    )
    return entry_id


def insert_settlement_rows_plainly(
    session: Session,
    *,
    transaction: dict[str, Any],
    entry: dict[str, Any],
    postings: list[dict[str, Any]],
    receipts: list[dict[str, Any]],
    order_id: int,
    order_values: dict[str, Any],
) -> None:
    """The settlement benchmark's baseline (demo/benchmarks/payment_figures.py), never the application's
    way: the rows one settlement writes, inserted by plain statements without a check, lock or audit event.
    `postings` and `receipts` get the new entry's id and nothing else."""
    conn = session.connection()
    conn.execute(insert(ChannelTransaction), [transaction])
    entry_id = conn.execute(insert(LedgerEntry).returning(LedgerEntry.id), entry).scalar_one()
    conn.execute(insert(LedgerPosting), [{**posting, "entry_id": entry_id} for posting in postings])
    conn.execute(insert(PaymentReceipt), receipts)
    conn.execute(update(PaymentOrder).where(PaymentOrder.id == order_id).values(**order_values))


def entry_of_order(session: Session, kind: str, order_id: int) -> LedgerEntry:
    """The order's entry of `kind` (its postings load on first use): what a refund reverses."""
    return session.execute(
        select(LedgerEntry).where(LedgerEntry.kind == kind, LedgerEntry.order_id == order_id)
    ).scalar_one()
