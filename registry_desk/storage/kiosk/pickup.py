"""The statements of the pickup codes (取件码): one row per applicant of a case, holding the code's keyed hash.

What a code is, how it is hashed, when it is replaced or used up are the rules of `registration/pickup.py`
and `kiosk/identify.py`; these functions only read and write the rows, inside the caller's unit of work.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry_desk.storage.kiosk.tables import KioskPickupCode


def pickup_code(s: Session, case_id: int, party_id: int, *, lock: bool = False) -> KioskPickupCode | None:
    """The applicant's current code row, or None when none was ever issued; with `lock`, FOR UPDATE."""
    query = select(KioskPickupCode).where(
        KioskPickupCode.case_id == case_id, KioskPickupCode.party_id == party_id
    )
    if lock:
        query = query.with_for_update()
    return s.execute(query).scalar_one_or_none()


def codes_of_case(s: Session, case_id: int) -> int:
    """How many applicants of the case hold a code (0: a case accepted before codes existed)."""
    return int(
        s.scalar(select(func.count()).select_from(KioskPickupCode).where(KioskPickupCode.case_id == case_id))
        or 0
    )


def add_pickup_code(s: Session, row: KioskPickupCode) -> None:
    s.add(row)
    s.flush()
