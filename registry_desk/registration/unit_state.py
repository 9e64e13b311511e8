"""The unit as the rules of domain/rules.py see it: its current rights with their parties and certificates,
and its unfinished cases. Read on every acceptance and recording, under the unit lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, or_, select


from registry_desk.domain.codes import CaseStatus, CertificateStatus, RightStatus
from registry_desk.domain.rules import OpenCase, PartySnapshot, RightSnapshot, UnitSnapshot
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.storage.driver_sql import Driver, Prepared, driver
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Certificate, Party, Right, RightParty

# The rules' view of a unit is read on every acceptance and recording, under the unit lock: four indexed
# selects compiled once and read straight into snapshots (storage/driver_sql.py), instead of ORM objects with
# their eager-load chains.
_OPEN_STATUSES = tuple(s for s in CaseStatus if s.is_open)
_CURRENT_RIGHTS = Prepared(
    # One row per (right, party); a right without parties comes once, with the party columns empty.
    select(
        Right.id,
        Right.right_type,
        Right.notice_kind,
        Right.rank,
        Right.no_transfer,
        Right.mortgage_mode,
        Right.co_ownership,
        Right.court,
        Right.court_document_no,
        Right.notice_lapses_on,
        RightParty.role,
        RightParty.share,
        Party.id_type,
        Party.id_number,
        Party.name,
    )
    .select_from(Right)
    .outerjoin(RightParty, RightParty.right_id == Right.id)
    .outerjoin(Party, Party.id == RightParty.party_id)
    .where(Right.unit_id == bindparam("unit"), Right.status == RightStatus.CURRENT)
    .order_by(Right.registered_at, Right.id, RightParty.position, RightParty.id)
)
_CURRENT_RIGHT_CERTIFICATES = Prepared(
    select(Certificate.right_id, Certificate.number)
    .join(Right, Right.id == Certificate.right_id)
    .where(
        Right.unit_id == bindparam("unit"),
        Right.status == RightStatus.CURRENT,
        Certificate.status == CertificateStatus.CURRENT,
    )
    .order_by(Certificate.id)
)
_OPEN_CASES = Prepared(
    select(Case.case_number, Case.business_type, Case.status)
    .where(Case.unit_id == bindparam("unit"), or_(*(Case.status == status for status in _OPEN_STATUSES)))
    .order_by(Case.id)
)


def unit_snapshot(
    session: Session | Driver, unit: Any, policy: BusinessTypePolicy | None = None
) -> UnitSnapshot:
    """The unit as the rules see it: current rights with parties and certificates, unfinished cases.
    `unit` is anything with the unit's `id`, `unit_number` and `location` (a `Unit`, or a locked unit row)."""
    policy = policy or load_policy()
    session = driver(session)
    certificates: dict[int, list[str]] = {}
    for right_id, number in _CURRENT_RIGHT_CERTIFICATES.rows(session, unit=unit.id):
        certificates.setdefault(right_id, []).append(number)
    columns: dict[int, tuple[Any, ...]] = {}
    parties: dict[int, list[PartySnapshot]] = {}
    for row in _CURRENT_RIGHTS.rows(session, unit=unit.id):
        rid = row[0]
        if rid not in columns:
            columns[rid] = row[1:10]
            parties[rid] = []
        role, share, id_type, id_number, name = row[10:]
        if role is not None:
            parties[rid].append(PartySnapshot(id_type, id_number, name, role, share))
    rights = tuple(
        RightSnapshot(
            id=rid,
            right_type=right_type,
            parties=tuple(parties[rid]),
            notice_kind=notice_kind,
            rank=rank,
            no_transfer=bool(no_transfer),
            mortgage_mode=mortgage_mode,
            co_ownership=co_ownership,
            certificate_numbers=tuple(certificates.get(rid, ())),
            court=court,
            court_document_no=court_document_no,
            notice_lapses_on=lapses_on,
        )
        for rid, (
            right_type,
            notice_kind,
            rank,
            no_transfer,
            mortgage_mode,
            co_ownership,
            court,
            court_document_no,
            lapses_on,
        ) in columns.items()
    )
    return UnitSnapshot(
        unit_number=unit.unit_number,
        location=unit.location,
        rights=rights,
        open_cases=tuple(
            OpenCase(num, policy.label(key), status)
            for num, key, status in _OPEN_CASES.rows(session, unit=unit.id)
        ),
    )
