"""The e-certificate store's look-ups in the register: which certificates to publish, cancel or convert, who
holds them, the case a pulled e-certificate is attached to, and which recorded cases still wait for
publishing. One statement each; the rules (what counts as published, which units the demo converts) are the
callers'."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.codes import CaseStatus, CertificateStatus, PartyRole, RightStatus, RightType
from registry_desk.storage.tables import (
    AuditEvent,
    Case,
    CaseParty,
    Certificate,
    Party,
    Right,
    RightParty,
    Unit,
)


def lock_case_with_parties(session: Session, case_number: str) -> Case | None:
    """The case locked FOR UPDATE, with its parties (and their party rows) and unit loaded; or None."""
    return session.scalars(
        select(Case)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
        .where(Case.case_number == case_number)
        .with_for_update()
    ).one_or_none()


def right_by_id(session: Session, right_id: int) -> Right | None:
    """The right with this id, or None."""
    return session.get(Right, right_id)


def party_by_id(session: Session, party_id: int) -> Party | None:
    """The party with this id, or None."""
    return session.get(Party, party_id)


def right_party_links(session: Session, right_id: int, role: PartyRole) -> list[RightParty]:
    """The right's parties in `role`, in their order on the right, each with its party row loaded."""
    return list(
        session.scalars(
            select(RightParty)
            .options(selectinload(RightParty.party))
            .where(RightParty.right_id == right_id, RightParty.role == role)
            .order_by(RightParty.position)
        ).all()
    )


def certificates_cancelled_by_case(session: Session, case_id: int) -> list[Certificate]:
    """The certificates the case cancelled, oldest first."""
    return list(
        session.scalars(
            select(Certificate).where(Certificate.cancelled_by_case_id == case_id).order_by(Certificate.id)
        ).all()
    )


def current_certificates_of_case(session: Session, case_id: int) -> list[Certificate]:
    """The case's current certificates, oldest first."""
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.case_id == case_id, Certificate.status == CertificateStatus.CURRENT)
            .order_by(Certificate.id)
        ).all()
    )


def current_certificates_on_unit(session: Session, unit_number: str) -> list[Certificate]:
    """The unit's current certificates, oldest first."""
    return list(
        session.scalars(
            select(Certificate)
            .join(Unit, Unit.id == Certificate.unit_id)
            .where(Unit.unit_number == unit_number, Certificate.status == CertificateStatus.CURRENT)
            .order_by(Certificate.id)
        ).all()
    )


def current_certificate_numbers_on_unit(
    session: Session, unit_number: str
) -> list[tuple[str, str | None, str | None]]:
    """(number, e-certificate id, number of the case that issued it or None) of the unit's current
    certificates, oldest first."""
    rows = session.execute(
        select(Certificate.number, Certificate.ecert_id, Case.case_number)
        .join(Unit, Unit.id == Certificate.unit_id)
        .outerjoin(Case, Case.id == Certificate.case_id)
        .where(Unit.unit_number == unit_number, Certificate.status == CertificateStatus.CURRENT)
        .order_by(Certificate.id)
    ).all()
    return [(number, ecert_id, case_number) for number, ecert_id, case_number in rows]


def current_certificates_on_units_with(
    session: Session, right_types: Collection[RightType], *, limit: int | None = None
) -> list[Certificate]:
    """Current certificates, oldest first, of the units that carry a current right of one of `right_types`."""
    scenario_right = select(Right.id).where(
        Right.unit_id == Certificate.unit_id,
        Right.status == RightStatus.CURRENT,
        Right.right_type.in_(list(right_types)),
    )
    query = (
        select(Certificate)
        .where(Certificate.status == CertificateStatus.CURRENT, exists(scenario_right))
        .order_by(Certificate.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query).all())


def cases_awaiting_event(
    session: Session,
    *,
    after_action: str,
    awaited_action: str,
    statuses: Collection[CaseStatus],
    limit: int | None = None,
) -> list[str]:
    """Numbers of the cases in `statuses` with an `after_action` audit event and no `awaited_action` event
    after their last one, in the order of that last `after_action` event."""
    after = (
        select(AuditEvent.case_id, func.max(AuditEvent.seq).label("seq"))
        .where(AuditEvent.action == after_action)
        .group_by(AuditEvent.case_id)
        .subquery()
    )
    awaited = (
        select(AuditEvent.case_id, func.max(AuditEvent.seq).label("seq"))
        .where(AuditEvent.action == awaited_action)
        .group_by(AuditEvent.case_id)
        .subquery()
    )
    query = (
        select(Case.case_number)
        .join(after, after.c.case_id == Case.id)
        .outerjoin(awaited, awaited.c.case_id == Case.id)
        .where(
            Case.status.in_(list(statuses)),
            (awaited.c.seq.is_(None)) | (awaited.c.seq < after.c.seq),
        )
        .order_by(after.c.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
