"""A case's history from the audit trail: its steps, and who changed it last."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
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
