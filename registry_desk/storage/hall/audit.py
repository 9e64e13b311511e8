"""The audit trail's statements: the head's lock and advance, the event's insert, and the verifier's reads.

Every writer of the trail runs the head's lock, the event's insert and the head's advance, so they are
compiled once and run on the driver cursor of the caller's transaction (storage/driver_sql.py): through the
ORM they cost more than the rest of a small service call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.tables import AuditEvent, AuditHead

_EVENT_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "action",
    "case_id",
    "unit_id",
    "record",
    "before",
    "after",
    "prev_hash",
    "hash",
)
_head = cast(Table, AuditHead.__table__)
_LOCK_HEAD = Prepared(
    select(_head.c.last_seq, _head.c.last_hash, _head.c.keyed_from, _head.c.key_id)
    .where(_head.c.id == 1)
    .with_for_update()
)
_START_HEAD = {
    # The chain's first event: two writers starting it at once must not fail (the second does nothing, then
    # waits for the first's lock on the head it wrote).
    "postgresql": Prepared(
        postgresql.insert(_head).on_conflict_do_nothing(), keys=("id", "last_seq", "last_hash", "keyed_from")
    ),
    "sqlite": Prepared(
        sqlite.insert(_head).on_conflict_do_nothing(), keys=("id", "last_seq", "last_hash", "keyed_from")
    ),
}
_INSERT_EVENT = Prepared(insert(cast(Table, AuditEvent.__table__)), keys=_EVENT_COLUMNS)
_ADVANCE_HEAD = Prepared(update(_head).where(_head.c.id == 1), keys=("last_seq", "last_hash", "key_id"))


def lock_head(sql: Driver) -> tuple[Any, ...] | None:
    """The chain's head (last seq, last hash, keyed from seq, key fingerprint), locked FOR UPDATE on
    PostgreSQL; None before the first event."""
    return _LOCK_HEAD.first(sql)


def start_head(sql: Driver, genesis_hash: str) -> None:
    """Writes the head of an empty chain, keyed from its first event (does nothing if another writer just
    wrote it)."""
    _START_HEAD[sql.name].execute(sql, id=1, last_seq=0, last_hash=genesis_hash, keyed_from=1)


def insert_event(
    sql: Driver,
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    unit_id: int | None,
    record: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prev_hash: str,
    hash: str,
) -> None:
    _INSERT_EVENT.execute(
        sql,
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        case_id=case_id,
        unit_id=unit_id,
        record=record,
        before=before,
        after=after,
        prev_hash=prev_hash,
        hash=hash,
    )


def advance_head(sql: Driver, last_seq: int, last_hash: str, key_id: str | None = None) -> None:
    """Moves the head on; `key_id` is the fingerprint of the key the event was hashed with (written on every
    advance: one statement either way, and the first keyed event of an upgraded register sets it)."""
    _ADVANCE_HEAD.execute(sql, last_seq=last_seq, last_hash=last_hash, key_id=key_id)


def events_after(session: Session, last_id: int, batch: int) -> list[AuditEvent]:
    """The next `batch` events by id after `last_id`, in the order they were written."""
    return list(
        session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        )
        .scalars()
        .all()
    )


def audit_head(session: Session) -> AuditHead | None:
    return session.get(AuditHead, 1)


def event_id_at(session: Session, seq: int) -> tuple[int, str] | None:
    """The row id and hash of the event with sequence number `seq` (a checkpoint's anchor), or None."""
    row = session.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.seq == seq)).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def event_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
