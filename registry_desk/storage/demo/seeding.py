"""Bulk writes of the demo register (demo/demo_data.py) and of synthetic registers (demo/synthetic.py), and
the reads that place them in a database: ids and counters to continue from, parties to reuse, units to use.

Core inserts on the tables, not ORM bulk inserts: the ORM splits rows by which columns are null into dozens
of statements, ten times slower on PostgreSQL for no gain. Rows go in with explicit ids, so on PostgreSQL
each serial is moved past them afterwards (`move_serials_past_ids`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select, text
from sqlalchemy.orm import Session

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateKind,
    IdType,
    RightStatus,
    RightType,
)
from registry_desk.storage.tables import Base, Case, Certificate, Party, Right, RightParty, Unit
from registry_desk.storage.tables import Sequence as Counter

# The register's tables the demo writes with explicit ids.
_WITH_IDS: dict[str, type[Base]] = {
    "parties": Party,
    "units": Unit,
    "rights": Right,
    "right_parties": RightParty,
    "certificates": Certificate,
}


def lock_units_for_loading(session: Session) -> None:
    """PostgreSQL only: two windows loading the demo at once, the second waits here, then sees the units."""
    session.execute(text("LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE"))


def unit_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Unit)).scalar_one())


def units_numbered_like(session: Session, pattern: str) -> int:
    """How many units have a number matching the SQL LIKE `pattern` (a cadastral district's units)."""
    return int(session.execute(select(func.count()).where(Unit.unit_number.like(pattern))).scalar_one())


def next_id(session: Session, table: str) -> int:
    """The first id after every row of `table` (one of parties, units, rights, right_parties, certificates)."""
    mapped: Any = _WITH_IDS[table]
    return int(session.execute(select(func.coalesce(func.max(mapped.id), 0))).scalar_one()) + 1


def party_ids_by_identity(session: Session) -> dict[tuple[IdType, str], int]:
    """{(ID type, ID number): party id} of every party."""
    return {
        (id_type, number): party_id
        for party_id, id_type, number in session.execute(select(Party.id, Party.id_type, Party.id_number))
    }


def organisation_party_id(session: Session, uscc: str) -> int | None:
    """The party of an organisation with this 统一社会信用代码, if there is one."""
    return session.execute(
        select(Party.id).where(Party.id_type == IdType.USCC, Party.id_number == uscc)
    ).scalar_one_or_none()


def insert_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """One executemany of `rows` (every row with the same columns) into `table`, one of parties, units,
    rights, right_parties, certificates."""
    session.execute(insert(cast(Table, _WITH_IDS[table].__table__)), rows)


def move_serials_past_ids(session: Session) -> None:
    """PostgreSQL: moves each id serial of the tables written with explicit ids past their highest id, so
    later inserts do not collide."""
    for table in _WITH_IDS:
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )


def certificate_counter_values(session: Session) -> dict[str, int]:
    """{name: value} of the certificate number counters (`cert:` names)."""
    return {
        row.name: int(row.value)
        for row in session.execute(select(Counter).where(Counter.name.like("cert:%"))).scalars()
    }


def highest_certificate_seqs(session: Session) -> Sequence[Row[CertificateKind, int, int]]:
    """(kind, year, highest seq) of the certificates present, per kind and year."""
    return session.execute(
        select(Certificate.kind, Certificate.year, func.max(Certificate.seq)).group_by(
            Certificate.kind, Certificate.year
        )
    ).all()


def raise_certificate_counters(session: Session, last_seq: dict[str, int]) -> None:
    """Moves each named counter to at least the given value (creating it if absent), locked while it is
    read, so no number loaded is issued again."""
    for name, value in sorted(last_seq.items()):
        row = session.get(Counter, name, with_for_update=True)
        if row is None:
            session.add(Counter(name=name, value=value))
        elif row.value < value:
            row.value = value
    session.flush()


def current_rights_of_units(session: Session) -> Sequence[Row[int, str, RightType, AdvanceNoticeKind | None]]:
    """(unit id, unit number, right type, notice kind) of every current right, by unit id."""
    return session.execute(
        select(Unit.id, Unit.unit_number, Right.right_type, Right.notice_kind)
        .join(Right, Right.unit_id == Unit.id)
        .where(Right.status == RightStatus.CURRENT)
        .order_by(Unit.id)
    ).all()


def company_owned_units(session: Session) -> set[int]:
    """Ids of units with a current ownership held by an organisation (a party with a USCC)."""
    return set(
        session.scalars(
            select(Right.unit_id)
            .join(RightParty, RightParty.right_id == Right.id)
            .join(Party, Party.id == RightParty.party_id)
            .where(
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
                Party.id_type == IdType.USCC,
            )
        )
    )


def units_of_cases_in(session: Session, statuses: Collection[CaseStatus]) -> set[int]:
    """Ids of units with a case in one of `statuses`."""
    return set(session.scalars(select(Case.unit_id).where(Case.status.in_(list(statuses)))))
