"""The database's own check of its files: SQLite's integrity_check, PostgreSQL's amcheck where installed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# integrity_check stops after this many findings: enough to say the file is damaged and where.
MAX_FINDINGS = 20


def integrity_findings(session: Session) -> tuple[list[str], bool]:
    """What the database finds wrong with its own storage ([] when sound), and whether it could look at
    all: False on a PostgreSQL server without the amcheck extension (nothing is checked then)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rows = session.execute(text(f"PRAGMA integrity_check({MAX_FINDINGS})")).scalars().all()
        return [str(r) for r in rows if str(r) != "ok"], True
    installed = session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).first()
    if installed is None:
        return [], False
    indexes = session.execute(
        text(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
            "WHERE n.nspname = current_schema() AND a.amname = 'btree' AND c.relpersistence <> 't' "
            "ORDER BY c.relname"
        )
    ).all()
    findings: list[str] = []
    for oid, name in indexes:
        try:
            with session.begin_nested():
                session.execute(text("SELECT bt_index_check(CAST(:oid AS regclass), true)"), {"oid": oid})
        except Exception as error:  # noqa: BLE001 - amcheck reports corruption as an error of any kind
            findings.append(f"索引 {name}：{str(getattr(error, 'orig', error)).strip().splitlines()[0]}")
            if len(findings) >= MAX_FINDINGS:
                break
    return findings, True
