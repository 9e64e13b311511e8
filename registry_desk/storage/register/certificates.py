"""Certificate rows (不动产权证书 / 不动产登记证明): a case's, one by its number, and what printing reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from registry_desk.storage.tables import Case, CaseParty, Certificate, User


def certificates_of_case(session: Session, case_id: int) -> list[Certificate]:
    """The case's certificates, in the order they were issued."""
    return list(
        session.scalars(
            select(Certificate).where(Certificate.case_id == case_id).order_by(Certificate.id)
        ).all()
    )


def case_number_of_certificate(session: Session, number: str) -> str | None:
    """The number of the case that issued the certificate (None: no such certificate)."""
    return session.scalar(
        select(Case.case_number)
        .join(Certificate, Certificate.case_id == Case.id)
        .where(Certificate.number == number)
    )


def certificate_with_unit(session: Session, number: str) -> Certificate | None:
    """The certificate by its number as stored, with its unit."""
    return session.scalars(
        select(Certificate).options(selectinload(Certificate.unit)).where(Certificate.number == number)
    ).one_or_none()


def certificate_by_number(session: Session, number: str) -> Certificate | None:
    return session.scalars(select(Certificate).where(Certificate.number == number)).one_or_none()


def case_for_receipt(session: Session, case_number: str) -> Case | None:
    """The case with its parties, materials and unit: what its 受理凭证 prints."""
    return session.scalars(
        select(Case)
        .options(
            selectinload(Case.parties).selectinload(CaseParty.party),
            selectinload(Case.materials),
            selectinload(Case.unit),
        )
        .where(Case.case_number == case_number)
    ).one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
