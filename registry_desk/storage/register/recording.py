"""The statements of recording (登簿): the case and its unit read under lock, the rights, their parties and
certificates written, the rights ended and their certificates cancelled, the case marked recorded.

Recording runs a dozen small statements under the unit lock. Each is compiled once and run on the driver
cursor of the unit of work's transaction (storage/driver_sql.py); the rows go through the columns' own
types, so the register reads exactly as if the ORM had written it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, insert, select, true, update

from registry_desk.domain.cases import MATERIAL_MISSING
from registry_desk.domain.codes import (
    CaseStatus,
    CertificateStatus,
    CoOwnership,
    IdType,
    PartyRole,
    RightStatus,
)
from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.tables import (
    Case,
    CaseMaterial,
    CaseParty,
    Certificate,
    Party,
    Right,
    RightParty,
    Unit,
)

_cases = cast(Table, Case.__table__)
_units = cast(Table, Unit.__table__)
_rights = cast(Table, Right.__table__)
_certificates = cast(Table, Certificate.__table__)
_CASE_UNIT = Prepared(select(Case.unit_id).where(Case.case_number == bindparam("number")))
_LOCK_UNIT_ROW = Prepared(select(*_units.columns).where(_units.c.id == bindparam("unit")).with_for_update())
_UNIT_KEYS = tuple(c.key for c in _units.columns)
_LOCK_CASE_ROW = Prepared(
    # The case, one row per party (none: one row with the party columns empty), and whether a required
    # material is still missing. PostgreSQL locks the case row (FOR UPDATE OF cases: not the outer side).
    select(
        Case.id,
        Case.case_number,
        Case.business_type,
        Case.status,
        Case.form,
        Case.version,
        Case.payment_required,
        Case.unit_id,
        exists()
        .where(
            CaseMaterial.case_id == Case.id,
            CaseMaterial.required == true(),
            CaseMaterial.status == MATERIAL_MISSING,
        )
        .label("missing"),
        CaseParty.role,
        CaseParty.share,
        CaseParty.co_ownership,
        CaseParty.wants_own_certificate,
        Party.id,
        Party.name,
        Party.id_type,
        Party.id_number,
    )
    .select_from(Case)
    .outerjoin(CaseParty, CaseParty.case_id == Case.id)
    .outerjoin(Party, Party.id == CaseParty.party_id)
    .where(Case.case_number == bindparam("number"))
    .order_by(CaseParty.position, CaseParty.id)
    .with_for_update(of=_cases)
)
_MISSING_MATERIALS = Prepared(
    select(CaseMaterial.name)
    .where(
        CaseMaterial.case_id == bindparam("case"),
        CaseMaterial.required == true(),
        CaseMaterial.status == MATERIAL_MISSING,
    )
    .order_by(CaseMaterial.position, CaseMaterial.id)
)
RIGHT_KEYS = tuple(c.key for c in _rights.columns if c.key != "id")
_INSERT_RIGHT = Prepared(insert(_rights).returning(_rights.c.id), keys=RIGHT_KEYS)
_INSERT_RIGHT_PARTY = Prepared(
    insert(cast(Table, RightParty.__table__)), keys=("right_id", "party_id", "role", "share", "position")
)
CERTIFICATE_KEYS = tuple(c.key for c in _certificates.columns if c.key != "id")
_INSERT_CERTIFICATE = Prepared(insert(_certificates), keys=CERTIFICATE_KEYS)
_RIGHT_NATURE = Prepared(select(Right.right_nature).where(Right.id == bindparam("right")))
_END_RIGHT = Prepared(
    update(_rights).where(_rights.c.id == bindparam("right"), _rights.c.status == RightStatus.CURRENT),
    keys=("status", "ended_at", "ended_by_case_id", "end_reason"),
)
_CANCEL_CERTIFICATES = Prepared(
    update(_certificates)
    .where(
        _certificates.c.right_id == bindparam("right"), _certificates.c.status == CertificateStatus.CURRENT
    )
    .returning(_certificates.c.id, _certificates.c.number),
    keys=("status", "cancelled_at", "cancelled_by_case_id"),
)
_MARK_RECORDED = Prepared(
    # The optimistic version check the ORM's version counter made: the row must still be the one read.
    update(_cases)
    .where(_cases.c.id == bindparam("case"), _cases.c.version == bindparam("seen_version"))
    .values(version=_cases.c.version + 1),
    keys=("status", "recorded_at", "recorded_by", "completed_at"),
)
_BUMP_UNIT = Prepared(
    update(_units)
    .where(_units.c.id == bindparam("unit"))
    .values(version=func.coalesce(_units.c.version, 1) + 1)
)


@dataclass(frozen=True)
class PartyColumns:
    id: int
    name: str
    id_type: IdType
    id_number: str


@dataclass(frozen=True)
class CasePartyColumns:
    role: PartyRole
    share: Fraction | None
    co_ownership: CoOwnership | None
    wants_own_certificate: bool
    party: PartyColumns


@dataclass(frozen=True)
class CaseColumns:
    id: int
    case_number: str
    business_type: str
    status: CaseStatus
    form: dict[str, Any]
    version: int
    payment_required: bool
    unit_id: int
    parties: tuple[CasePartyColumns, ...]


class UnitColumns:
    """The locked unit's columns, by the names `Unit` has (the certificate field builders read them)."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.__dict__.update(zip(_UNIT_KEYS, values, strict=True))

    def __getattr__(self, name: str) -> Any:  # the columns, set in __init__; for the type checker
        raise AttributeError(name)


@dataclass(frozen=True)
class LockedCase:
    """The case read for recording, its unit, and whether a required material is still missing."""

    case: CaseColumns
    unit: UnitColumns
    missing_materials: bool


def lock_case_for_recording(sql: Driver, case_number: str) -> LockedCase | None:
    """The case and its unit, read under the unit's lock (None: no such case).

    PostgreSQL: the unit row is locked first, then the case is read FOR UPDATE (the lock order every writer
    of a unit keeps). SQLite: the transaction took the database's write lock at BEGIN IMMEDIATE, before
    anything was read, so the case is read first and tells which unit to read.
    """
    if sql.name == "sqlite":
        rows = _LOCK_CASE_ROW.rows(sql, number=case_number)
        if not rows:
            return None
        unit = UnitColumns(_LOCK_UNIT_ROW.rows(sql, unit=rows[0][7])[0])
    else:
        head = _CASE_UNIT.first(sql, number=case_number)
        if head is None:
            return None
        unit = UnitColumns(_LOCK_UNIT_ROW.rows(sql, unit=head[0])[0])
        rows = _LOCK_CASE_ROW.rows(sql, number=case_number)
    case_id, number, business_type, status, form, version, paid, unit_id, missing = rows[0][:9]
    parties = tuple(
        CasePartyColumns(role, share, co_ownership, bool(own), PartyColumns(pid, name, id_type, id_number))
        for role, share, co_ownership, own, pid, name, id_type, id_number in (row[9:] for row in rows)
        if role is not None
    )
    case = CaseColumns(
        case_id, number, business_type, status, form or {}, version, bool(paid), unit_id, parties
    )
    return LockedCase(case, unit, bool(missing))


def missing_material_names(sql: Driver, case_id: int) -> list[str]:
    """The names of the case's required materials still missing, in the case's order."""
    return [name for (name,) in _MISSING_MATERIALS.rows(sql, case=case_id)]


def right_nature(sql: Driver, right_id: int) -> str | None:
    """The right's 权利性质; raises LookupError when there is no such right."""
    row = _RIGHT_NATURE.first(sql, right=right_id)
    if row is None:
        raise LookupError(f"right {right_id}")
    value: str | None = row[0]
    return value


def end_right(
    sql: Driver, right_id: int, *, ended_at: datetime, ended_by_case_id: int, end_reason: str
) -> int:
    """Makes the current right historical; returns how many rows changed (0: it was not current)."""
    return _END_RIGHT.execute(
        sql,
        right=right_id,
        status=RightStatus.HISTORICAL,
        ended_at=ended_at,
        ended_by_case_id=ended_by_case_id,
        end_reason=end_reason,
    )


def cancel_certificates(
    sql: Driver, right_id: int, *, cancelled_at: datetime, cancelled_by_case_id: int
) -> list[tuple[int, str]]:
    """Cancels the right's current certificates; returns (id, number) of each, in no particular order."""
    return [
        (cid, number)
        for cid, number in _CANCEL_CERTIFICATES.rows(
            sql,
            right=right_id,
            status=CertificateStatus.CANCELLED,
            cancelled_at=cancelled_at,
            cancelled_by_case_id=cancelled_by_case_id,
        )
    ]


def insert_right(sql: Driver, values: dict[str, Any]) -> int:
    """Inserts a right (`values` holds every column of RIGHT_KEYS); returns its id."""
    right_id: int = _INSERT_RIGHT.rows(sql, **values)[0][0]
    return right_id


def insert_right_parties(sql: Driver, rows: list[dict[str, Any]]) -> None:
    """Inserts the rights' parties (right_id, party_id, role, share, position), in one statement."""
    _INSERT_RIGHT_PARTY.execute_many(sql, rows)


def insert_certificate(sql: Driver, values: dict[str, Any]) -> None:
    """Inserts a certificate (`values` holds every column of CERTIFICATE_KEYS)."""
    _INSERT_CERTIFICATE.execute(sql, **values)


def mark_recorded(
    sql: Driver,
    case_id: int,
    *,
    seen_version: int,
    status: CaseStatus,
    recorded_at: datetime,
    recorded_by: int | None,
    completed_at: datetime,
) -> int:
    """Marks the case recorded if its version is still `seen_version` (moving it on); returns how many rows
    changed (0: someone else changed the case since it was read)."""
    return _MARK_RECORDED.execute(
        sql,
        case=case_id,
        seen_version=seen_version,
        status=status,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        completed_at=completed_at,
    )


def bump_unit(sql: Driver, unit_id: int) -> None:
    """Moves the unit's version on: the register page of a window still showing the old state is stale."""
    _BUMP_UNIT.execute(sql, unit=unit_id)
