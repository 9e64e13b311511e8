"""Channel transactions: every payment the channel reported, recorded once.

Unique (channel, transaction id) is the idempotency key: the report is inserted with ON CONFLICT DO NOTHING,
and no row back means it had been recorded before (by this window or another), so a repeated report
changes nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.ledger.tables import ChannelTransaction
from registry_desk.storage.session import Session

_txns = cast(Table, ChannelTransaction.__table__)
_TXN_KEYS = (
    "channel",
    "txn_id",
    "order_no",
    "order_id",
    "amount",
    "paid_at",
    "received_at",
    "source",
    "outcome",
    "note",
)
_INSERT_TXN = {
    # INSERT … ON CONFLICT DO NOTHING RETURNING id: no row back when the transaction was already recorded.
    "postgresql": Prepared(
        postgresql.insert(_txns).on_conflict_do_nothing().returning(_txns.c.id), keys=_TXN_KEYS
    ),
    "sqlite": Prepared(sqlite.insert(_txns).on_conflict_do_nothing().returning(_txns.c.id), keys=_TXN_KEYS),
}

_KNOWN_TXN = (
    select(ChannelTransaction.id)
    .where(
        ChannelTransaction.channel == bindparam("channel"), ChannelTransaction.txn_id == bindparam("txn_id")
    )
    .limit(1)
)


def insert_transaction(sql: Driver, values: dict[str, Any]) -> int | None:
    """Records the report (`order_id` and `note` default to NULL); None when this (channel, transaction)
    was recorded before."""
    row = _INSERT_TXN[sql.name].first(sql, **{"order_id": None, "note": None, **values})
    return None if row is None else int(row[0])


def transaction_recorded(db: Database, channel: str, txn_id: str) -> bool:
    """Whether the channel's transaction was recorded: on a plain connection, not a Session, since this
    runs for every repeated report, which is most of them."""
    with db.engine.connect() as conn:
        return conn.execute(_KNOWN_TXN, {"channel": channel, "txn_id": txn_id}).first() is not None


def transactions_with_outcome(session: Session, outcomes: Iterable[str]) -> list[ChannelTransaction]:
    return list(
        session.execute(
            select(ChannelTransaction).where(ChannelTransaction.outcome.in_(list(outcomes)))
        ).scalars()
    )


def transactions_of_order(session: Session, order_id: int, outcome: str) -> list[ChannelTransaction]:
    return list(
        session.execute(
            select(ChannelTransaction).where(
                ChannelTransaction.order_id == order_id, ChannelTransaction.outcome == outcome
            )
        ).scalars()
    )


def insert_transactions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Inserts the rows as they are, in one executemany (the benchmarks' data; the application records
    each report through `insert_transaction`)."""
    session.connection().execute(insert(ChannelTransaction), rows)
