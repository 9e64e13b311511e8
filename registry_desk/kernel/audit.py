"""Writing and checking the audit trail (留痕): append-only, hash-chained under a key, verified on demand.

The chain key lives in the data directory's `keys/audit-chain.key` (made at first need, 0600), never in the
database: rewriting an event and re-hashing the rest needs it. `bootstrap.open_database` gives each Database
the key of its settings' data directory; a Database built directly (tests, tools) reads it from the settings
of the process (REGISTRY_DESK_DATA_DIR) once, at its first event. The head records the key's fingerprint, so
a window holding another key is refused before it writes an event that could not be verified.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from registry_desk.config import private_dir, resolve
from registry_desk.domain.audit import GENESIS_HASH, AuditEntry, ChainKey, entry_hash
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database, chain_key, remember_chain_key
from registry_desk.storage.driver_sql import Driver, driver
from registry_desk.storage.hall import audit as trail
from registry_desk.storage.session import Session


KEY_FILE = "audit-chain.key"
RULE_KEY = "审计链密钥一致"


def load_chain_key(keys_dir: Path) -> ChainKey:
    """The chain key of a data directory, made on first need: 32 random bytes, hex, in a 0600 file.

    Written under a temporary name and linked into place, so two windows starting at once agree on one key
    (the second's link fails and it reads the first's) and nobody ever reads half a key."""
    path = Path(keys_dir) / KEY_FILE
    if not path.exists():
        private_dir(Path(keys_dir))
        temp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    try:
        return ChainKey.of(bytes.fromhex(path.read_text(encoding="ascii").strip()))
    except (OSError, ValueError) as error:
        raise ValidationError(
            f"审计链密钥文件 {path} 无法读取或已损坏：{error}", rule=RULE_KEY, record=str(path)
        ) from error


def key_for(db: Database) -> ChainKey:
    """The key `db` is hashed with: the one configured for it, else the process's data directory's."""
    key = db.audit_key
    if key is None:
        key = db.audit_key = load_chain_key(resolve().keys_dir)
    return key


def _key_of(sql: Driver) -> ChainKey:
    key = chain_key(sql)
    if key is None:
        key = load_chain_key(resolve().keys_dir)
        remember_chain_key(sql, key)
    return key


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
    key = _key_of(sql)
    head = trail.lock_head(sql)
    if head is None:
        trail.start_head(sql, GENESIS_HASH)
        head = trail.lock_head(sql)
        assert head is not None
    last_seq, last_hash, _keyed_from, head_key = head
    if head_key is not None and head_key != key.id:
        # Every event from the head's keyed_from on is keyed (the upgrade set it past the last unkeyed one).
        raise RuleViolation(
            f"本机的审计链密钥（数据目录 keys/{KEY_FILE}，指纹 {key.id}）与该数据库链头记载的密钥"
            f"（指纹 {head_key}）不符：用它写下的审计记录将无法核验，本次操作未保存；"
            "请从首次写入该数据库的电脑复制该密钥文件",
            rule=RULE_KEY,
            record=f"审计链头（第 {last_seq} 条）",
        )
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
    digest = entry_hash(entry, last_hash, key.secret)
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
    trail.advance_head(sql, entry.seq, digest, key.id)
    return Appended(entry.seq, digest)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problem: str = ""
    first_bad_seq: int | None = None


def verify_chain(db: Database, *, batch: int = 5000, start: tuple[int, str] | None = None) -> ChainReport:
    """Walks the chain in order and names the first altered, missing or reordered row.

    Events from the head's `keyed_from` on are checked as HMACs under the chain key, older ones (a register
    from before revision 0010) as plain SHA-256. `start` = (seq, hash) of a checkpoint already found in the
    database: the walk then covers only the events after it (what a checkpoint has not vouched for yet)."""
    key = key_for(db)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        head = trail.audit_head(s)
        keyed_from = 1 if head is None or head.keyed_from is None else int(head.keyed_from)
        if head is not None and head.key_id is not None and head.key_id != key.id:
            return ChainReport(
                False,
                0,
                f"本机的审计链密钥（keys/{KEY_FILE}，指纹 {key.id}）与链头记载的密钥（指纹 {head.key_id}）"
                f"不符，第 {keyed_from} 条起的记录无法核验",
                keyed_from,
            )
        expected_prev, expected_seq, last_id = GENESIS_HASH, 1, 0
        if start is not None:
            anchor = trail.event_id_at(s, start[0])
            if anchor is None or anchor[1] != start[1]:
                return ChainReport(False, 0, f"审计记录第 {start[0]} 条缺失或与检查点不符", start[0])
            last_id, expected_prev, expected_seq = anchor[0], start[1], start[0] + 1
        count = 0
        while True:
            rows = trail.events_after(s, last_id, batch)
            if not rows:
                break
            for ev in rows:
                last_id = ev.id
                count += 1
                problem = _link_problem(ev, expected_seq, expected_prev)
                if problem is None:
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
                    secret = key.secret if ev.seq >= keyed_from else None
                    if entry_hash(entry, ev.prev_hash, secret) != ev.hash:
                        problem = f"审计记录第 {ev.seq} 条（{ev.action}）内容被改动或哈希被重算"
                if problem is not None:
                    return ChainReport(
                        False, count, problem, expected_seq if ev.seq != expected_seq else ev.seq
                    )
                expected_prev = ev.hash
                expected_seq += 1
            s.expunge_all()
        if head is None and expected_seq > 1:
            return ChainReport(
                False, count, f"审计链头缺失，而审计记录有 {expected_seq - 1} 条", expected_seq - 1
            )
        if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
            return ChainReport(
                False,
                count,
                f"审计链末尾缺失：链头记载共 {head.last_seq} 条，实际只有 {expected_seq - 1} 条可验证",
                expected_seq,
            )
    return ChainReport(True, count)


def _link_problem(ev: Any, expected_seq: int, expected_prev: str) -> str | None:
    if ev.seq != expected_seq:
        kind = "缺失" if ev.seq > expected_seq else "顺序被调换或重复"
        return f"审计记录第 {expected_seq} 条{kind}（在该位置读到第 {ev.seq} 条）"
    if ev.prev_hash != expected_prev:
        return f"审计记录第 {ev.seq} 条的前序哈希与上一条不符（上一条被改动、删除或调换）"
    return None
