"""The statements a backup and a restore run on an SQLite file through `sqlite3` (no SQLAlchemy engine:
the file may not be a registry-desk database at all), the revisions this program's migrations know, and
bringing a database opened at start-up to the newest of them."""

from __future__ import annotations

import sqlite3

from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from registry_desk.storage import migrate


def known_revisions() -> set[str]:
    """Every schema revision of this program's migrations."""
    script = ScriptDirectory.from_config(migrate._config())
    return {rev.revision for rev in script.walk_revisions()}


def upgrade_refused(engine: Engine) -> SQLAlchemyError | None:
    """Upgrades the schema (storage/migrate.py); returns SQLAlchemy's error when the database refused it (a
    damaged or foreign file), None once it is at the newest revision. Any other failure is raised."""
    try:
        migrate.upgrade(engine)
    except SQLAlchemyError as error:
        return error
    return None


def quick_check(conn: sqlite3.Connection) -> str:
    """SQLite's own integrity check: "ok", or what is wrong."""
    return str(conn.execute("PRAGMA quick_check").fetchone()[0])


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def stored_revision(conn: sqlite3.Connection) -> str:
    """The revision recorded in alembic_version ("" if none)."""
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else ""


def row_count(conn: sqlite3.Connection, table: str) -> int:
    """Rows in `table`, one of the register's own table names (never a value from outside)."""
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def set_journal_mode(conn: sqlite3.Connection, mode: str) -> None:
    """DELETE for a self-contained backup file, WAL for a database the application uses."""
    conn.execute(f"PRAGMA journal_mode={mode}")


# The audit chain's signed checkpoints travel inside the backup file, in a table of the copy only (the live
# register never has it; a restore takes them out and drops it), so a backup is one file with its anchors.
_CHECKPOINTS_TABLE = "registry_desk_audit_checkpoints"


def store_checkpoints(conn: sqlite3.Connection, files: list[tuple[str, str]]) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {_CHECKPOINTS_TABLE} (name TEXT PRIMARY KEY, body TEXT NOT NULL)"
    )
    conn.executemany(f"INSERT OR IGNORE INTO {_CHECKPOINTS_TABLE} (name, body) VALUES (?, ?)", files)
    conn.commit()


def stored_checkpoints(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The checkpoints a backup file carries (none in a file without the table: an older backup)."""
    if _CHECKPOINTS_TABLE not in table_names(conn):
        return []
    rows = conn.execute(f"SELECT name, body FROM {_CHECKPOINTS_TABLE} ORDER BY name").fetchall()
    return [(str(name), str(body)) for name, body in rows]


def drop_checkpoints(conn: sqlite3.Connection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {_CHECKPOINTS_TABLE}")
    conn.commit()


def head_seq(conn: sqlite3.Connection) -> int:
    """The audit chain's last seq in a register file (0 without a head)."""
    row = conn.execute("SELECT last_seq FROM audit_head WHERE id = 1").fetchone()
    return int(row[0]) if row else 0
