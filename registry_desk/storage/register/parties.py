"""Party rows: one per (证件种类, 证件号码), found or created when a case names a person or organisation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.domain.codes import IdType
from registry_desk.storage.tables import Party


def party_by_document(session: Session, id_type: IdType, id_number: str) -> Party | None:
    """The party known by this document, if any."""
    return session.scalar(select(Party).where(Party.id_type == id_type, Party.id_number == id_number))


def insert_party_if_absent(session: Session, values: dict[str, Any]) -> Party:
    """Inserts the party unless one with its document exists (ON CONFLICT DO NOTHING), and returns the row
    that stands: two windows registering the same newcomer at once then share one row."""
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_(Party).values(**values).on_conflict_do_nothing(index_elements=["id_type", "id_number"])
    )
    return session.scalars(
        select(Party).where(Party.id_type == values["id_type"], Party.id_number == values["id_number"])
    ).one()
