"""The audit trail cannot vanish unnoticed (issue #12, item 4), on SQLite and PostgreSQL.

Each attack is done as an attacker with write access to the database but not to the data directory's
keys/ would do it, with plain SQL; `registry-desk audit verify` and `registry-desk check` must name it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from registry_desk import cli
from registry_desk.config import resolve
from registry_desk.domain.audit import AuditEntry, entry_hash
from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.operations.audit_checkpoints import checkpoint_dir
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, AuditHead
from tests.conftest import REAL_LOAD_CHAIN_KEY


def _cli(capsys: pytest.CaptureFixture[str], db: Database, *args: str) -> tuple[int, str]:
    code = cli.main(["--database-url", db.url, *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _append(db: Database, n: int, start: int = 1) -> None:
    with db.unit_of_work() as uow:
        for i in range(start, start + n):
            audit.append(uow.session, SYSTEM, "test.event", record=f"R{i:03d}", after={"n": i})
        uow.commit()


def _events(db: Database) -> list[AuditEvent]:
    with db.unit_of_work(write=False) as uow:
        events = list(uow.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
        uow.session.expunge_all()
        return events


def _entry(ev: AuditEvent, **changes: object) -> AuditEntry:
    values = {
        "seq": ev.seq,
        "occurred_at": ev.occurred_at,
        "actor": ev.actor,
        "action": ev.action,
        "case_id": ev.case_id,
        "unit_id": ev.unit_id,
        "record": ev.record,
        "before": ev.before,
        "after": ev.after,
    }
    values.update(changes)
    return AuditEntry(**values)  # type: ignore[arg-type]


def _rehash_from(db: Database, seq: int, key: bytes | None, **changes: object) -> None:
    """Rewrites event `seq` and re-hashes it and every later event, with `key` (None: plain SHA-256)."""
    events = _events(db)
    prev = events[seq - 2].hash if seq > 1 else "0" * 64
    with db.engine.begin() as conn:
        for ev in events[seq - 1 :]:
            entry = _entry(ev, **(changes if ev.seq == seq else {}))
            digest = entry_hash(entry, prev, key)
            conn.execute(
                update(AuditEvent)
                .where(AuditEvent.id == ev.id)
                .values(record=entry.record, prev_hash=prev, hash=digest)
            )
            prev = digest
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))


@pytest.fixture
def anchored(any_db: Database, capsys: pytest.CaptureFixture[str]) -> Database:
    """Ten events, verified and checkpointed by `audit verify`, then two more after the checkpoint."""
    _append(any_db, 10)
    code, out = _cli(capsys, any_db, "audit", "verify")
    assert code == 0, out
    assert len(list(checkpoint_dir(resolve()).glob("*.json"))) == 1
    _append(any_db, 2, start=11)
    return any_db


def _both_detect(capsys: pytest.CaptureFixture[str], db: Database, *expected: str) -> None:
    code, out = _cli(capsys, db, "audit", "verify")
    assert code == 1, out
    for words in expected:
        assert words in out, out
    code, out = _cli(capsys, db, "check")
    assert code == 1, out
    for words in expected:
        assert words in out, out


def test_an_intact_trail_passes_and_is_checkpointed_again(anchored, capsys):
    code, out = _cli(capsys, anchored, "audit", "verify")
    assert code == 0 and "审计链完整：共 12 条记录" in out and "第 12 条" in out, out
    code, out = _cli(capsys, anchored, "check")
    assert code == 0, out
    names = sorted(p.name for p in checkpoint_dir(resolve()).glob("*.json"))
    assert [n[:12] for n in names] == ["000000000010", "000000000012"]


def test_wiping_every_event_and_the_head_is_detected(anchored, capsys):
    with anchored.engine.begin() as conn:
        conn.execute(delete(AuditEvent))
        conn.execute(delete(AuditHead))
    _both_detect(capsys, anchored, "审计记录已被全部清空", "第 10 条", "000000000010-")


def test_truncating_the_tail_and_moving_the_head_back_is_detected(anchored, capsys):
    events = _events(anchored)
    with anchored.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq > 7))
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=7, last_hash=events[6].hash))
    _both_detect(capsys, anchored, "审计链比签名检查点短", "链头记载共 7 条", "第 10 条", "000000000010-")
    code, out = _cli(capsys, anchored, "check", "--skip-audit")  # no walk, but the comparison still runs
    assert code == 1 and "审计链比签名检查点短" in out, out


def test_rewriting_a_row_and_rehashing_the_rest_without_the_key_is_detected(anchored, capsys):
    # After the checkpoint (seq 11): only the key protects it. Plain SHA-256 and a key of the attacker's own.
    _rehash_from(anchored, 11, None, record="forged")
    _both_detect(capsys, anchored, "第 11 条", "内容被改动")
    _rehash_from(anchored, 11, b"a key of my own", record="forged")
    _both_detect(capsys, anchored, "第 11 条", "内容被改动")


def test_rewriting_before_the_checkpoint_with_the_key_still_breaks_the_checkpoint(anchored, capsys):
    # Even someone holding the key cannot rewrite what a checkpoint vouched for.
    _rehash_from(anchored, 4, resolve_key(anchored), record="forged")
    _both_detect(capsys, anchored, "第 10 条的哈希与签名检查点", "000000000010-")


def test_unkeying_the_chain_through_the_head_is_detected(anchored, capsys):
    # Claim the register was never keyed (keyed_from past the end, no key fingerprint) and re-hash all of it
    # with plain SHA-256: the chain is self-consistent again, but the checkpoint says otherwise.
    _rehash_from(anchored, 1, None)
    with anchored.engine.begin() as conn:
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(keyed_from=13, key_id=None))
    _both_detect(capsys, anchored, "签名检查点")


def test_a_forged_checkpoint_is_refused(anchored, capsys):
    (path,) = checkpoint_dir(resolve()).glob("*.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"seq": 10', '"seq": 9'), encoding="utf-8")
    _both_detect(capsys, anchored, "签名无效", path.name)


def test_a_window_with_another_key_is_refused_before_it_writes(any_db):
    _append(any_db, 1)
    other = Database(any_db.url)
    try:
        from registry_desk.domain.audit import ChainKey
        from registry_desk.domain.errors import RuleViolation

        other.audit_key = ChainKey.of(b"another window's key")
        with pytest.raises(RuleViolation, match="审计链密钥.*不符"):
            _append(other, 1, start=2)
    finally:
        other.dispose()
    assert len(_events(any_db)) == 1 and audit.verify_chain(any_db).ok


def test_the_chain_key_is_made_once_private_and_outside_the_database(tmp_path):
    from registry_desk.kernel.audit import KEY_FILE

    keys = tmp_path / "keys"
    first = _REAL_LOADER(keys)
    assert _REAL_LOADER(keys) == first
    assert (keys / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert len(first.secret) == 32 and first.secret.hex() not in repr(first)


def resolve_key(db: Database) -> bytes:
    return audit.key_for(db).secret


# The suite swaps the loader for one returning its own key (tests/conftest.py).
_REAL_LOADER = REAL_LOAD_CHAIN_KEY


def test_an_old_unkeyed_register_still_verifies_after_the_upgrade(tmp_path: Path):
    from registry_desk.kernel.context import utc_now
    from registry_desk.storage.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path}/old.sqlite3")
    try:
        upgrade(db.engine, "0007")
        prev = "0" * 64
        with db.unit_of_work() as uow:
            for seq in range(1, 4):
                ev = AuditEvent(
                    seq=seq,
                    occurred_at=utc_now(),
                    actor="system",
                    action="test.old",
                    record=f"OLD{seq}",
                    after={"n": seq},
                )
                ev.prev_hash, ev.hash = prev, entry_hash(_entry(ev), prev)  # as before revision 0010
                prev = ev.hash
                uow.session.add(ev)
            uow.session.flush()
            # The head as revision 0007 had it (the ORM table already has the new columns).
            uow.session.execute(
                text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 3, :h)"), {"h": prev}
            )
            uow.commit()
        upgrade(db.engine)
        assert audit.verify_chain(db).ok
        _append(db, 2, start=4)  # keyed from here on
        report = audit.verify_chain(db)
        assert report.ok and report.events == 5
        with db.unit_of_work(write=False) as uow:
            head = uow.session.get(AuditHead, 1)
            assert head is not None and head.keyed_from == 4 and head.key_id == audit.key_for(db).id
        _rehash_from(db, 5, None, record="forged")  # a keyed event re-hashed without the key
        assert not audit.verify_chain(db).ok
    finally:
        db.dispose()


def test_a_checkpoint_that_cannot_be_written_is_a_note_not_a_traceback(any_db, capsys):
    _append(any_db, 3)
    checkpoint_dir(resolve()).write_text("not a folder", encoding="utf-8")
    code, out = _cli(capsys, any_db, "check")
    assert code == 0 and "提示：未能写入签名审计检查点" in out, out
