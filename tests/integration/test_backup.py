"""Backup and restore: an online SQLite backup taken while a window keeps writing restores into a database that
passes `audit verify` and `check`; restore refuses foreign files, unknown schema revisions and non-empty targets
(unless --force); PostgreSQL gets the documented pg_dump/pg_restore commands, without the password."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry_desk import cli
from registry_desk.kernel import audit
from registry_desk.operations import backup
from registry_desk.kernel.context import SYSTEM
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, Unit
from tests.integration.test_kiosk_helpers import ready_case


def _main(capsys: pytest.CaptureFixture[str], url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    code = cli.main(["--database-url", url, "--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _counts(db: Database) -> tuple[int, int]:
    with db.unit_of_work(write=False) as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(Unit)),
            uow.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_online_backup_while_a_window_writes_restores_to_a_verified_register(sqlite_db, tmp_path, capsys):
    load_demo(sqlite_db)
    ready_case(sqlite_db, tmp_path)  # books, certificates and the audit chain all exercised
    stop = threading.Event()
    written = []

    def window_keeps_working() -> None:
        while not stop.is_set():
            with sqlite_db.unit_of_work() as uow:
                audit.append(uow.session, SYSTEM, "test.heartbeat", record=str(len(written)))
                uow.commit()
            written.append(1)

    writer = threading.Thread(target=window_keeps_working)
    writer.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)  # the window is writing before the backup starts
        out = tmp_path / "backups" / "register.bak"
        code, text = _main(capsys, sqlite_db.url, tmp_path, "backup", "--out", str(out))
    finally:
        stop.set()
        writer.join()
    assert code == 0 and "已备份到" in text, text
    assert len(written) > 3, "the window went on writing during the backup"

    restored_url = f"sqlite:///{tmp_path}/restored/registry.sqlite3"
    code, text = _main(capsys, restored_url, tmp_path, "restore", str(out))
    assert code == 0 and "已从备份恢复" in text, text
    code, text = _main(capsys, restored_url, tmp_path, "audit", "verify")
    assert code == 0 and "审计链完整" in text, text
    code, text = _main(capsys, restored_url, tmp_path, "check")
    assert code == 0 and "核查通过" in text, text
    restored = Database(restored_url)
    try:
        units, events = _counts(restored)
    finally:
        restored.dispose()
    assert units == _counts(sqlite_db)[0]
    assert events >= 3, "the backup is a consistent snapshot with the events written before it"


def test_restore_refuses_a_non_empty_target_unless_forced(sqlite_db, tmp_path, capsys):
    load_demo(sqlite_db)
    out = tmp_path / "demo.bak"
    backup.backup_sqlite(sqlite_db.url, out)
    target = Database(f"sqlite:///{tmp_path}/other/registry.sqlite3")
    try:
        from registry_desk.storage.migrate import upgrade

        upgrade(target.engine)
        with target.unit_of_work() as uow:
            audit.append(uow.session, SYSTEM, "test.work", record="今天的业务")
            uow.commit()
    finally:
        target.dispose()
    code, text = _main(capsys, target.url, tmp_path, "restore", str(out))
    assert code == 2 and "已有数据" in text and "--force" in text
    target = Database(target.url)
    try:
        assert _counts(target) == (0, 1), "the refused restore changed nothing"
    finally:
        target.dispose()
    code, text = _main(capsys, target.url, tmp_path, "restore", str(out), "--force")
    assert code == 0 and "原有数据已被覆盖" in text
    target = Database(target.url)
    try:
        assert _counts(target) == _counts(sqlite_db)
    finally:
        target.dispose()


def test_backup_never_overwrites_an_earlier_backup(sqlite_db, tmp_path, capsys):
    out = tmp_path / "a.bak"
    out.write_bytes(b"yesterday's backup")
    code, text = _main(capsys, sqlite_db.url, tmp_path, "backup", "--out", str(out))
    assert code == 2 and "已存在" in text
    assert out.read_bytes() == b"yesterday's backup"


def test_restore_refuses_files_that_are_not_a_known_register(sqlite_db, tmp_path, capsys):
    target = f"sqlite:///{tmp_path}/target/registry.sqlite3"
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("不是数据库", encoding="utf-8")
    code, text = _main(capsys, target, tmp_path, "restore", str(not_sqlite))
    assert code == 2 and "不是 SQLite 数据库文件" in text

    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
    code, text = _main(capsys, target, tmp_path, "restore", str(foreign))
    assert code == 2 and "不是 registry-desk 数据库" in text

    newer = tmp_path / "newer.bak"
    backup.backup_sqlite(sqlite_db.url, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    code, text = _main(capsys, target, tmp_path, "restore", str(newer))
    assert code == 2 and "9999_from_the_future" in text and "不是本程序已知的版本" in text
    assert not Path(target.split("///", 1)[1]).exists(), "nothing was written for a refused restore"


def test_postgres_gets_the_documented_commands_without_its_password(tmp_path, capsys):
    url = "postgresql+psycopg://registry:s3cret@db.example:5432/registry"
    code, text = _main(capsys, url, tmp_path, "backup", "--out", "nightly.dump")
    assert code == 0
    assert (
        'pg_dump --format=custom --no-owner --file="nightly.dump" "postgresql://registry@db.example:5432/registry"'
        in text
    )
    assert "pg_restore --clean --if-exists" in text and "s3cret" not in text
    assert "registry-desk check" in text
