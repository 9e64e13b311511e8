"""What the prefill (免填写) reads besides the unit's current state: a party by its ID number (an ID-card
reader, the bank of a contract, a contract's debtor), and the audit events naming a case's field sources."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import IdType, PartyKind
from registry_desk.storage.prepared import DriverSource, PreparedRead
from registry_desk.storage.tables import AuditEvent, Party

# A unit of work's Session or Connection, or a look-up connection (`Database.lookup_raw()`) as a DriverSource.
PartySource: TypeAlias = Session | Connection | DriverSource

_PARTY_BY_ID_NUMBER = PreparedRead(
    # The party's own columns in PartySnapshot's order, without a role and share in a right.
    select(
        Party.id_type,
        Party.id_number,
        Party.name,
        Party.kind,
        Party.address,
        Party.phone,
        Party.legal_rep_name,
    )
    .where(Party.id_number == bindparam("id_number"))
    .order_by(Party.id)  # (id_type, id_number) is unique, so at most a handful of rows
)


def party_by_id_number(
    source: PartySource, id_number: str
) -> tuple[IdType, str, str, PartyKind, str | None, str | None, str | None] | None:
    """(id_type, id_number, name, kind, address, phone, legal_rep_name) of the first party with this ID
    number (already normalised), or None."""
    rows = _PARTY_BY_ID_NUMBER.rows(source, id_number=id_number)
    if not rows:
        return None
    id_type, number, name, kind, address, phone, legal_rep_name = rows[0]
    return id_type, number, name, kind, address, phone, legal_rep_name


def case_audit_events(
    session: Session, case_id: int, actions: tuple[str, ...]
) -> list[tuple[str, dict[str, Any] | None]]:
    """(action, after) of the case's audit events of these actions, in the order they were written."""
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.case_id == case_id, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.seq)
    ).all()
    return [(action, after) for action, after in rows]
