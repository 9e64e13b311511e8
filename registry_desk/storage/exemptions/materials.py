"""A case's materials and the files kept with them (sealed materials, signed application forms): the reads and
writes `exemptions/` makes, one statement each, holding no rule of their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.codes import CaseStatus, CertificateStatus, RightStatus, RightType
from registry_desk.storage.tables import (
    Attachment,
    Case,
    CaseMaterial,
    CaseParty,
    Certificate,
    Party,
    Right,
    User,
)


def case_by_number(session: Session, case_number: str) -> Case | None:
    """The case with this number, or None."""
    return session.scalars(select(Case).where(Case.case_number == case_number)).one_or_none()


def the_case(session: Session, case_number: str) -> Case:
    """The case with this number, which the caller knows exists (NoResultFound if it does not)."""
    return session.scalars(select(Case).where(Case.case_number == case_number)).one()


def business_type_of_case(session: Session, case_number: str) -> str | None:
    """The business type of the case with this number, or None when there is no such case."""
    return session.scalar(select(Case.business_type).where(Case.case_number == case_number))


def case_for_application_form(session: Session, case_number: str) -> Case | None:
    """The case with its parties (and their party rows), materials and unit loaded: all the form shows."""
    return session.scalars(
        select(Case)
        .options(
            selectinload(Case.parties).selectinload(CaseParty.party),
            selectinload(Case.materials),
            selectinload(Case.unit),
        )
        .where(Case.case_number == case_number)
    ).one_or_none()


def materials_of_case(session: Session, case_id: int) -> list[CaseMaterial]:
    """The case's materials in the order the business type lists them."""
    return list(
        session.scalars(
            select(CaseMaterial).where(CaseMaterial.case_id == case_id).order_by(CaseMaterial.position)
        ).all()
    )


def material_of_case(session: Session, case_id: int, code: str) -> CaseMaterial | None:
    """The case's material with this code, or None."""
    return session.scalars(
        select(CaseMaterial).where(CaseMaterial.case_id == case_id, CaseMaterial.code == code)
    ).one_or_none()


def attachment_kinds(session: Session, attachment_ids: Iterable[int]) -> dict[int, str]:
    """Each listed attachment's kind, by id (one statement, also for an empty list)."""
    rows = session.execute(
        select(Attachment.id, Attachment.kind).where(Attachment.id.in_(list(attachment_ids)))
    )
    return {attachment_id: kind for attachment_id, kind in rows.all()}


def attachment_kind(session: Session, attachment_id: int) -> str | None:
    """The attachment's kind, or None when there is no such attachment."""
    return session.scalar(select(Attachment.kind).where(Attachment.id == attachment_id))


def attachment_content(session: Session, attachment_id: int) -> bytes | None:
    """The attachment's file, or None when there is no such attachment."""
    return session.scalar(select(Attachment.content).where(Attachment.id == attachment_id))


def keep_attachment(
    session: Session,
    *,
    case_id: int,
    kind: str,
    filename: str,
    sha256: str,
    content: bytes,
    created_at: dt.datetime,
) -> Attachment:
    """A new attachment of the case, flushed so that it has its id."""
    attachment = Attachment(
        case_id=case_id, kind=kind, filename=filename, sha256=sha256, content=content, created_at=created_at
    )
    session.add(attachment)
    session.flush()
    return attachment


def standing_case_holding_attachment(
    connection: Session | Connection,
    sha256: str,
    *,
    kind: str,
    business_type: str,
    ended: Collection[CaseStatus],
    except_case_id: int | None = None,
) -> str | None:
    """The first case (by id) of `business_type`, in none of the `ended` statuses, other than
    `except_case_id`, holding an attachment of `kind` with this SHA-256; its number, or None."""
    query = (
        select(Case.case_number)
        .join(Attachment, Attachment.case_id == Case.id)
        .where(
            Attachment.sha256 == sha256,
            Attachment.kind == kind,
            Case.business_type == business_type,
            Case.status.not_in(list(ended)),
        )
        .order_by(Case.id)
        .limit(1)
    )
    if except_case_id is not None:
        query = query.where(Case.id != except_case_id)
    return connection.scalar(query)


def party_names(session: Session, party_ids: Iterable[int]) -> dict[int, str]:
    """Each listed party's name, by id."""
    return {p.id: p.name for p in session.scalars(select(Party).where(Party.id.in_(list(party_ids))))}


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user account with this id, or None."""
    return session.get(User, user_id)


def ownership_certificates_cancelled_by_case(session: Session, case_id: int) -> list[str]:
    """Numbers of the ownership certificates the case cancelled (the ones it replaces)."""
    return list(
        session.scalars(
            select(Certificate.number)
            .join(Right, Right.id == Certificate.right_id)
            .where(Certificate.cancelled_by_case_id == case_id, Right.right_type == RightType.OWNERSHIP)
        )
    )


def current_ownership_certificates_of_unit(session: Session, unit_id: int) -> list[str]:
    """Numbers of the unit's current certificates of its current ownership, oldest first."""
    return list(
        session.scalars(
            select(Certificate.number)
            .join(Right, Right.id == Certificate.right_id)
            .where(
                Right.unit_id == unit_id,
                Right.right_type == RightType.OWNERSHIP,
                Right.status == RightStatus.CURRENT,
                Certificate.status == CertificateStatus.CURRENT,
            )
            .order_by(Certificate.id)
        ).all()
    )
