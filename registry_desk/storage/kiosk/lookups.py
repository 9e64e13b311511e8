"""The kiosk's reads of the register for the citizen standing at it: the case scanned with its parties, the
case's certificates, and the units the citizen holds (for the 查询结果).

Who may see what (a party of the case, the holder of a certificate) is decided in `kiosk/`; these
functions only read.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from registry_desk.domain.codes import PartyRole, RightStatus, RightType
from registry_desk.storage.tables import Case, CaseParty, Certificate, Party, Right, RightParty, Unit


def case_with_parties(s: Session, case_number: str) -> Case | None:
    """The case by its number with its parties (and their register records) and its unit loaded."""
    return s.execute(
        select(Case)
        .where(Case.case_number == case_number)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
    ).scalar_one_or_none()


def party_by_id(s: Session, party_id: int) -> Party | None:
    return s.get(Party, party_id)


def certificates_with_holders(s: Session, case_id: int) -> list[Certificate]:
    """The case's certificates in the order they were issued, each with its right's parties loaded."""
    return list(
        s.execute(
            select(Certificate)
            .where(Certificate.case_id == case_id)
            .options(selectinload(Certificate.right).selectinload(Right.parties))
            .order_by(Certificate.id)
        )
        .scalars()
        .all()
    )


def certificates_of_case(s: Session, case_id: int) -> list[Certificate]:
    """Every certificate the case issued (to tell whether all of them are handed over)."""
    return list(s.execute(select(Certificate).where(Certificate.case_id == case_id)).scalars().all())


def holds_current_ownership(s: Session, party_id: int) -> bool:
    """Whether the party is a holder of any current ownership right."""
    return bool(
        s.scalar(
            select(func.count())
            .select_from(RightParty)
            .join(Right, Right.id == RightParty.right_id)
            .where(
                RightParty.party_id == party_id,
                RightParty.role == PartyRole.RIGHT_HOLDER,
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
            )
        )
    )


def units_held_by(s: Session, party_id: int) -> list[Unit]:
    """The units on which the party holds a current ownership right, by unit number."""
    return list(
        s.execute(
            select(Unit)
            .join(Right, Right.unit_id == Unit.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .where(
                RightParty.party_id == party_id,
                RightParty.role == PartyRole.RIGHT_HOLDER,
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
            )
            .order_by(Unit.unit_number)
            .distinct()
        )
        .scalars()
        .all()
    )


def ownership_parties_of_unencumbered_units(s: Session) -> list[tuple[str, int]]:
    """(unit number, party id) for each party of the current ownership of every unit that carries no other
    current right, by unit: the benchmark picks its sellers from these."""
    busy = (
        select(Right.unit_id)
        .where(Right.status == RightStatus.CURRENT)
        .group_by(Right.unit_id)
        .having(func.count() > 1)
    )
    rows = s.execute(
        select(Unit.unit_number, RightParty.party_id)
        .join(Right, Right.unit_id == Unit.id)
        .join(RightParty, RightParty.right_id == Right.id)
        .where(
            Right.status == RightStatus.CURRENT,
            Right.right_type == RightType.OWNERSHIP,
            Unit.id.not_in(busy),
        )
        .order_by(Unit.id)
    ).all()
    return [(number, party_id) for number, party_id in rows]
