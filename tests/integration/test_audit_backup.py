"""Backups carry the audit chain's signed checkpoints and a restore brings them back (issue #12, item 4)."""

from __future__ import annotations

import shutil
import sqlite3

from sqlalchemy import delete

from registry_desk.config import resolve
from registry_desk.operations.audit_checkpoints import checkpoint_dir
from registry_desk.storage.tables import AuditEvent, AuditHead
from tests.integration.test_audit_anchor import _append, _cli


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_backup_carries_the_checkpoints_and_a_restore_brings_them_back(sqlite_db, tmp_path, capsys):
    _append(sqlite_db, 5)
    sqlite_db.dispose()
    copy = tmp_path / "backup.sqlite3"
    code, out = _cli(capsys, sqlite_db, "backup", "--out", str(copy))
    assert code == 0 and "附签名审计检查点 1 个" in out, out
    with sqlite3.connect(copy) as conn:
        ((name, body),) = conn.execute("SELECT name, body FROM registry_desk_audit_checkpoints").fetchall()
    assert name.startswith("000000000005-") and '"seq": 5' in body

    # Someone wipes the trail and the data directory's checkpoints: with nothing left to compare, the
    # register alone cannot tell (the README says so); the backup still can.
    with sqlite_db.engine.begin() as conn:
        conn.execute(delete(AuditEvent))
        conn.execute(delete(AuditHead))
    sqlite_db.dispose()
    shutil.rmtree(checkpoint_dir(resolve()))
    code, out = _cli(capsys, sqlite_db, "restore", str(copy), "--force")
    assert code == 0 and "已从备份恢复签名审计检查点 1 个" in out, out
    assert [p.name for p in checkpoint_dir(resolve()).glob("*.json")] == [name]
    assert "registry_desk_audit_checkpoints" not in _tables(sqlite_db.url.split("///", 1)[1])
    code, out = _cli(capsys, sqlite_db, "audit", "verify")
    assert code == 0 and "共 5 条记录" in out and name in out, out


def test_restoring_an_older_backup_retires_the_newer_checkpoints_and_says_so(sqlite_db, tmp_path, capsys):
    _append(sqlite_db, 5)
    sqlite_db.dispose()
    copy = tmp_path / "backup.sqlite3"
    assert _cli(capsys, sqlite_db, "backup", "--out", str(copy))[0] == 0
    _append(sqlite_db, 3, start=6)
    sqlite_db.dispose()
    assert _cli(capsys, sqlite_db, "audit", "verify")[0] == 0  # checkpoint at 8
    code, out = _cli(capsys, sqlite_db, "restore", str(copy), "--force")
    assert code == 0 and "1 个签名检查点记载的审计记录多于恢复后的第 5 条" in out, out
    folder = checkpoint_dir(resolve())
    assert [p.name[:12] for p in folder.glob("*.json")] == ["000000000005"]
    assert [p.name[:12] for p in folder.glob("retired-*/*.json")] == ["000000000008"]
    code, out = _cli(capsys, sqlite_db, "check")
    assert code == 0, out
