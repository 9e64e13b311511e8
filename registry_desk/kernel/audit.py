"""Writing and checking the audit trail (留痕): append-only, hash-chained, verified on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry_desk.domain.audit import GENESIS_HASH, AuditEntry, entry_hash
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver, driver
from registry_desk.storage.hall import audit as trail
from registry_desk.storage.session import Session


@dataclass(frozen=True)
class Appended:
    """The event just written: its place in the chain and its hash."""

    seq: int
    hash: str


def append(
    session: Session | Driver,
    actor: Actor,
    action: str,
    *,
    case_id: int | None = None,
    unit_id: int | None = None,
    record: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Appended:
    """Appends one event inside the caller's transaction (so it is saved exactly when the change is).

    The head row is locked first: on PostgreSQL `FOR UPDATE` serialises writers of the chain; on
    SQLite the writing transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    # A Session's pending ORM changes go first (driver() flushes them), as the ORM's own autoflush did: a
    # refused change (a version conflict, a broken constraint) is then raised here, before the event is
    # written. A Driver is a transaction that runs compiled statements only (Database.driver_work).
    sql = driver(session)
    head = trail.lock_head(sql)
    if head is None:
        trail.start_head(sql, GENESIS_HASH)
        head = trail.lock_head(sql)
        assert head is not None
    last_seq, last_hash = head
    entry = AuditEntry(
        seq=int(last_seq) + 1,
        occurred_at=at or utc_now(),
        actor=actor.username,
        action=action,
        case_id=case_id,
        unit_id=unit_id,
        record=record,
        before=before,
        after=after,
    )
    digest = entry_hash(entry, last_hash)
    trail.insert_event(
        sql,
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=action,
        case_id=case_id,
        unit_id=unit_id,
        record=record,
        before=before,
        after=after,
        prev_hash=last_hash,
        hash=digest,
    )
    trail.advance_head(sql, entry.seq, digest)
    return Appended(entry.seq, digest)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problem: str = ""
    first_bad_seq: int | None = None


def verify_chain(db: Database, *, batch: int = 5000) -> ChainReport:
    """Walks the chain in order and names the first altered, missing or reordered row."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        last_id = 0
        while True:
            rows = trail.events_after(s, last_id, batch)
            if not rows:
                break
            for ev in rows:
                last_id = ev.id
                count += 1
                if ev.seq != expected_seq:
                    kind = "缺失" if ev.seq > expected_seq else "顺序被调换或重复"
                    return ChainReport(
                        False,
                        count,
                        f"审计记录第 {expected_seq} 条{kind}（在该位置读到第 {ev.seq} 条）",
                        expected_seq,
                    )
                if ev.prev_hash != expected_prev:
                    return ChainReport(
                        False,
                        count,
                        f"审计记录第 {ev.seq} 条的前序哈希与上一条不符（上一条被改动、删除或调换）",
                        ev.seq,
                    )
                entry = AuditEntry(
                    ev.seq,
                    ev.occurred_at,
                    ev.actor,
                    ev.action,
                    ev.case_id,
                    ev.unit_id,
                    ev.record,
                    ev.before,
                    ev.after,
                )
                if entry_hash(entry, ev.prev_hash) != ev.hash:
                    return ChainReport(
                        False, count, f"审计记录第 {ev.seq} 条（{ev.action}）内容被改动", ev.seq
                    )
                expected_prev = ev.hash
                expected_seq += 1
            s.expunge_all()
        head = trail.audit_head(s)
        if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
            return ChainReport(
                False,
                count,
                f"审计链末尾缺失：链头记载共 {head.last_seq} 条，实际只有 {expected_seq - 1} 条可验证",
                expected_seq,
            )
    return ChainReport(True, count)
