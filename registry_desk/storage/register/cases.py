"""Case rows as the case workflow reads and locks them: the case with its parties and materials, the unit it
is about, its version, the case list, and the working calendar its due dates are counted on.

Every writer of a unit takes the locks in one order: the unit row first (PostgreSQL `FOR UPDATE`; on SQLite
the transaction already holds the write lock from BEGIN IMMEDIATE), then the case.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.codes import CaseStatus
from registry_desk.storage.tables import (
    CalendarConfirmedYear,
    CalendarOverride,
    Case,
    CaseParty,
    Certificate,
    Right,
    Unit,
)

OPEN_STATUSES = tuple(s for s in CaseStatus if s.is_open)


def lock_unit(session: Session, unit_id: int) -> Unit:
    """The unit row, locked for the rest of the transaction and re-read (not the identity map's copy)."""
    return session.execute(
        select(Unit).where(Unit.id == unit_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def unit_by_id(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def unit_id_of_number(session: Session, unit_number: str) -> int | None:
    """The unit's id for its 不动产单元号 (as stored: upper case, no blanks)."""
    return session.scalar(select(Unit.id).where(Unit.unit_number == unit_number))


def unit_id_of_case(session: Session, case_number: str) -> int | None:
    return session.scalar(select(Case.unit_id).where(Case.case_number == case_number))


def lock_case(session: Session, case_number: str) -> Case:
    """The case with its parties, materials and unit, locked and re-read; its unit must be locked first."""
    return session.execute(
        select(Case)
        .where(Case.case_number == case_number)
        .options(
            selectinload(Case.parties).selectinload(CaseParty.party),
            selectinload(Case.materials),
            selectinload(Case.unit),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def case_version(conn: Connection, case_number: str) -> int | None:
    """The case's stored version (None: no such case)."""
    version = conn.execute(select(Case.version).where(Case.case_number == case_number)).scalar_one_or_none()
    return None if version is None else int(version)


def case_with_parties(session: Session, case_number: str) -> Case | None:
    """The case with its parties and materials, for showing it (no lock)."""
    return session.execute(
        select(Case)
        .where(Case.case_number == case_number)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.materials))
    ).scalar_one_or_none()


def certificate_numbers_of_case(session: Session, case_id: int) -> tuple[str, ...]:
    """The numbers of the certificates the case issued, in the order they were issued."""
    return tuple(
        session.scalars(
            select(Certificate.number).where(Certificate.case_id == case_id).order_by(Certificate.id)
        )
    )


def list_cases(
    session: Session,
    *,
    status: CaseStatus | None = None,
    accepted_from: datetime | None = None,
    accepted_before: datetime | None = None,
    open_or_since: datetime | None = None,
) -> list[Case]:
    """Cases with their parties and unit, oldest accepted first: of one status, accepted within
    [accepted_from, accepted_before), and (`open_or_since`) still open or accepted or finished since then."""
    query = (
        select(Case)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
        .order_by(Case.accepted_at, Case.id)
    )
    if status is not None:
        query = query.where(Case.status == status)
    if accepted_from is not None and accepted_before is not None:
        query = query.where(Case.accepted_at >= accepted_from, Case.accepted_at < accepted_before)
    if open_or_since is not None:
        query = query.where(
            or_(
                Case.status.in_(OPEN_STATUSES),
                Case.accepted_at >= open_or_since,
                Case.completed_at >= open_or_since,
            )
        )
    return list(session.scalars(query).all())


def unit_id_of_right(session: Session, right_id: int) -> int | None:
    return session.scalar(select(Right.unit_id).where(Right.id == right_id))


def reread_right(session: Session, right_id: int) -> Right | None:
    """The right row as stored now (after its unit was locked), not the identity map's copy."""
    return session.get(Right, right_id, populate_existing=True)


def calendar_overrides(session: Session) -> dict[date, bool]:
    """The administrator's changes to the shipped schedule: day → whether it is a working day."""
    return {row.day: row.is_working for row in session.scalars(select(CalendarOverride))}


def confirmed_calendar_years(session: Session) -> list[int]:
    """The years whose working schedule the administrator confirmed."""
    return [row.year for row in session.scalars(select(CalendarConfirmedYear))]
