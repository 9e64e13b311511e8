"""A damaged database says so (issue: trust): `check` runs the database's own integrity check and names
the file; no command ends in a traceback on a damaged file (SQLite), and on PostgreSQL `check` runs amcheck
where the server has it."""

from __future__ import annotations

import sqlite3

import pytest

from registry_desk.cli import main
from registry_desk.operations.invariants import RULE_STORAGE, check_database
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade

PAGE = 4096


def _register_file(tmp_path):
    path = tmp_path / "registry.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # everything in the main file, no WAL beside it
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("行" * 200,) for _ in range(400)])
    conn.commit()
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'filler'").fetchone()[0]
    conn.close()
    return path, root


def _damage(path, page_number: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek((page_number - 1) * PAGE + 8)
        handle.write(b"\xff" * 600)


def test_check_names_a_damaged_file_and_exits_1_without_a_traceback(tmp_path, capsys):
    path, root = _register_file(tmp_path)
    _damage(path, root + 2)  # a leaf page of the filler table, well away from the schema
    db = Database(f"sqlite:///{path}")
    try:
        report = check_database(db, audit_chain=False)
    finally:
        db.dispose()
    assert RULE_STORAGE in report.rules_broken()
    damaged = [p for p in report.problems if p.rule == RULE_STORAGE]
    assert str(path) in damaged[0].record and "数据库文件已损坏" in damaged[0].message
    code = main(["--data-dir", str(tmp_path / "data"), "--database-url", f"sqlite:///{path}", "check"])
    captured = capsys.readouterr()
    assert code in (1, 2) and "Traceback" not in captured.err
    assert "数据库文件已损坏" in captured.out or "数据库" in captured.err


def test_a_file_that_is_not_a_database_gets_a_chinese_message_naming_it(tmp_path, capsys):
    path = tmp_path / "registry.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    code = main(["--data-dir", str(tmp_path / "data"), "--database-url", f"sqlite:///{path}", "check"])
    captured = capsys.readouterr()
    assert code in (1, 2) and "Traceback" not in captured.err
    assert str(path) in captured.err and "错误：" in captured.err


def test_a_sound_register_passes_the_storage_check(any_db):
    report = check_database(any_db, audit_chain=False)
    assert RULE_STORAGE in report.checked
    assert RULE_STORAGE not in report.rules_broken()
    if any_db.engine.dialect.name == "postgresql":
        # amcheck is part of PostgreSQL's contrib; the note says when the server lacks it.
        assert report.notes == [] or "amcheck" in report.notes[0]


@pytest.mark.parametrize("statement", ["CREATE EXTENSION IF NOT EXISTS amcheck"])
def test_postgres_indexes_are_checked_with_amcheck_when_it_is_installed(postgres_db, statement):
    with postgres_db.engine.begin() as conn:
        try:
            conn.exec_driver_sql(statement)
        except Exception:  # noqa: BLE001 - contrib not on this server: nothing to check with
            pytest.skip("PostgreSQL's contrib (amcheck) is not installed on this server")
    report = check_database(postgres_db, audit_chain=False)
    assert report.notes == [] and RULE_STORAGE not in report.rules_broken()
