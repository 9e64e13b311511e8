"""A case's history from the audit trail (its steps, who changed it last), and the trail as the hall's windows
follow it to hear what changed."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.tables import AuditEvent, Case, User

_LAST_CHANGE = Prepared(
    select(AuditEvent.actor, AuditEvent.occurred_at)
    .join(Case, Case.id == AuditEvent.case_id)
    .where(Case.case_number == bindparam("number"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)
_USER_NAME = Prepared(select(User.display_name).where(User.username == bindparam("username")))


def case_id_of_number(session: Session, case_number: str) -> int | None:
    return session.scalar(select(Case.id).where(Case.case_number == case_number))


def case_events(session: Session, case_id: int) -> list[tuple[datetime, str, str, dict[str, Any] | None]]:
    """(occurred_at, actor, action, after) of every audit event of the case, oldest first."""
    rows = session.execute(
        select(AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.seq)
    ).all()
    return [(at, actor, action, after) for at, actor, action, after in rows]


def last_change(source: Session | Driver, case_number: str) -> tuple[str, datetime | None] | None:
    """(actor's username, when) of the case's latest audit event, or None when the trail has none."""
    row = _LAST_CHANGE.first(source, number=case_number)
    return None if row is None else (row[0], row[1])


def display_name_of(source: Session | Driver, username: str) -> str | None:
    """The account's display name (None: no such account, or it has none)."""
    row = _USER_NAME.first(source, username=username)
    return row[0] if row else None


# ---------------------------------------------------------------------------------------------------------
# The trail as the hall's windows follow it (registration/changes.py): PostgreSQL announces every audited
# change itself (migration 0005's triggers `pg_notify` on the trail); SQLite is polled.

_ANNOUNCE = text(
    "SELECT pg_notify(:channel, json_build_object('schema', current_schema(), 'topic', CAST(:topic AS text), 'key', CAST(:key AS text))::text)"
)


def announce_change(session: Session, channel: str, topic: str, key: str) -> None:
    """Announces a change on `channel` inside the session's transaction (PostgreSQL: delivered on commit,
    never on rollback; SQLite has no NOTIFY, its listeners notice every commit by themselves)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_ANNOUNCE, {"channel": channel, "topic": topic, "key": key})


def postgres_conninfo(url: str) -> dict[str, Any]:
    """psycopg connection arguments for the database's URL (search_path options included)."""
    parsed = make_url(url)
    args: dict[str, Any] = {
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        "user": parsed.username,
        "password": parsed.password,
    }
    args.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    return {k: v for k, v in args.items() if v is not None}


def open_postgres_follower(url: str) -> Any:
    """A psycopg connection of its own, in autocommit, for listening to the register's announcements."""
    import psycopg

    return psycopg.connect(autocommit=True, **postgres_conninfo(url))


def listen(conn: Any, channel: str) -> str | None:
    """Starts listening on `channel` on a psycopg autocommit connection; returns its current schema (whose
    announcements are this register's)."""
    schema = conn.execute("SELECT current_schema()").fetchone()
    conn.execute(f"LISTEN {channel}")
    return schema[0] if schema else None


def open_sqlite_follower(url: str) -> sqlite3.Connection:
    """A connection of its own to the SQLite register, in autocommit, for following its trail."""
    path = make_url(url).database or ""
    conn = sqlite3.connect(path, timeout=15, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=15000")
    return conn


def sqlite_data_version(conn: sqlite3.Connection) -> int:
    """Changes exactly when another connection committed."""
    version: int = conn.execute("PRAGMA data_version").fetchone()[0]
    return version


def last_event_seq(conn: sqlite3.Connection) -> int:
    """The sequence number of the trail's latest event (0: none yet)."""
    seq: int = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
    return seq


def events_after(conn: sqlite3.Connection, seq: int) -> list[tuple[int, str, str | None]]:
    """(seq, action, record) of the trail's events past `seq`, in order."""
    rows = conn.execute(
        "SELECT seq, action, record FROM audit_events WHERE seq > ? ORDER BY seq", (seq,)
    ).fetchall()
    return [(s, action, record) for s, action, record in rows]
