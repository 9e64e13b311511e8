"""The register page's reads (登记簿): a unit's rights current and historical with their parties and
certificates, its cases and certificates, and the search box's look-ups (unit number, certificate number,
case number, ID number, name, address)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from sqlalchemy import ColumnElement, Connection, Select, bindparam, literal_column, or_, select
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.codes import CaseStatus, RightStatus, RightType
from registry_desk.storage.prepared import DriverSource, PreparedRead
from registry_desk.storage.tables import Case, Certificate, Party, Right, RightParty, Unit

# (unit number, location, right type, party name): a unit on which a party holds or bears a current right.
OwnedUnitRow = tuple[str, str, RightType, str]


def unit_by_number(session: Session, unit_number: str) -> Unit | None:
    """The unit with this (normalised) number."""
    return session.scalar(select(Unit).where(Unit.unit_number == unit_number))


def rights_of_unit(session: Session, unit_id: int) -> Sequence[Right]:
    """Every right of the unit, current and historical, with its parties and certificates loaded, in the
    order they were registered."""
    return (
        session.execute(
            select(Right)
            .where(Right.unit_id == unit_id)
            .options(
                selectinload(Right.parties).selectinload(RightParty.party),
                selectinload(Right.certificates),
            )
            .order_by(Right.registered_at, Right.id)
        )
        .scalars()
        .all()
    )


def cases_of_unit(session: Session, unit_id: int) -> list[tuple[int, str, CaseStatus]]:
    """(id, case number, status) of every case on the unit."""
    rows = session.execute(select(Case.id, Case.case_number, Case.status).where(Case.unit_id == unit_id))
    return [(case_id, number, status) for case_id, number, status in rows.all()]


def case_numbers_of(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    """The case number of each of these case ids (none read when there are none)."""
    ids = set(case_ids)
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.case_number).where(Case.id.in_(ids)))
    return {case_id: number for case_id, number in rows.all()}


def certificates_of_unit(session: Session, unit_id: int) -> list[tuple[Certificate, str | None]]:
    """Every certificate issued on the unit with its holder's name, in the order they were issued."""
    rows = session.execute(
        select(Certificate, Party.name)
        .outerjoin(Party, Party.id == Certificate.holder_party_id)
        .where(Certificate.unit_id == unit_id)
        .order_by(Certificate.issued_at)
    )
    return [(certificate, name) for certificate, name in rows.all()]


# The status is a constant of the schema, written into the SQL so prepared reads bind only the key.
_CURRENT: ColumnElement[str] = literal_column(f"'{RightStatus.CURRENT.value}'")


def _owned_units_statement(who: ColumnElement[bool]) -> Select[str, str, RightType, str]:
    return (
        select(Unit.unit_number, Unit.location, Right.right_type, Party.name)
        .join(Right, Right.unit_id == Unit.id)
        .join(RightParty, RightParty.right_id == Right.id)
        .join(Party, Party.id == RightParty.party_id)
        .where(who, Right.status == _CURRENT)
        .order_by(Unit.unit_number)
    )


@cache
def _units_of_id_number_read() -> PreparedRead:
    return PreparedRead(_owned_units_statement(Party.id_number == bindparam("id_number")))


def units_of_parties(session: Session, party_ids: Iterable[int]) -> list[OwnedUnitRow]:
    """The units on which these parties hold or bear a current right, one row per (right, party)."""
    rows = session.execute(_owned_units_statement(RightParty.party_id.in_(list(party_ids))))
    return [(number, location, right_type, name) for number, location, right_type, name in rows.all()]


def units_of_id_number(source: Session | Connection | DriverSource, id_number: str) -> list[OwnedUnitRow]:
    """The same for the party with this (normalised) ID number, compiled once (the scan-to-screen path)."""
    return _units_of_id_number_read().rows(source, id_number=id_number)


def case_with_unit(session: Session, case_number: str) -> tuple[str, str, CaseStatus, str, str] | None:
    """(case number, business type, status, unit number, location) of the case with this number."""
    row = session.execute(
        select(Case.case_number, Case.business_type, Case.status, Unit.unit_number, Unit.location)
        .join(Unit, Unit.id == Case.unit_id)
        .where(Case.case_number == case_number)
    ).first()
    if row is None:
        return None
    number, key, status, unit_number, location = row
    return number, key, status, unit_number, location


def certificate_with_unit(session: Session, number: str) -> tuple[Certificate, str, str] | None:
    """The certificate with this (normalised) number, with its unit's number and location."""
    row = session.execute(
        select(Certificate, Unit.unit_number, Unit.location)
        .join(Unit, Unit.id == Certificate.unit_id)
        .where(Certificate.number == number)
    ).first()
    if row is None:
        return None
    certificate, unit_number, location = row
    return certificate, unit_number, location


def party_ids_named(session: Session, name: str, limit: int) -> list[int]:
    """Ids of up to `limit` parties with exactly this name."""
    return list(session.scalars(select(Party.id).where(Party.name == name).limit(limit)).all())


def units_like(session: Session, text: str, unit_number_prefix: str, limit: int) -> list[tuple[str, str]]:
    """(unit number, location) of up to `limit` units whose location contains `text` or whose number starts
    with `unit_number_prefix`, by unit number."""
    rows = session.execute(
        select(Unit.unit_number, Unit.location)
        .where(or_(Unit.location.like(f"%{text}%"), Unit.unit_number.like(f"{unit_number_prefix}%")))
        .order_by(Unit.unit_number)
        .limit(limit)
    )
    return [(number, location) for number, location in rows.all()]
