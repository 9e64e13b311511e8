"""The statements of the kiosk's own rows: its print log, the identity-check locks per case, and the
settings an administrator changes at run time.

What a failure counts for, when a case locks and what a print may do are the kiosk's rules
(`kiosk/identify.py`, `kiosk/printing.py`, `kiosk/paper_stock.py`); these functions only read and write.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry_desk.storage.kiosk.tables import KioskLock, KioskPrint, KioskSetting


def lock_of_case(s: Session, case_number: str) -> KioskLock | None:
    """The case's failed-identification record as it stands (no lock taken), or None before any check."""
    return s.get(KioskLock, case_number)


def locked_lock_of_case(s: Session, case_number: str) -> KioskLock:
    """The case's failed-identification record, row-locked (FOR UPDATE); a fresh one, with no failures,
    is added and flushed when the case has none yet."""
    row = s.execute(
        select(KioskLock).where(KioskLock.case_number == case_number).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = KioskLock(case_number=case_number, failures=0)
        s.add(row)
        s.flush()
    return row


def prints_of_certificate(s: Session, certificate_number: str) -> list[KioskPrint]:
    """Every kiosk print of the certificate, oldest first."""
    return list(
        s.execute(
            select(KioskPrint)
            .where(KioskPrint.certificate_number == certificate_number)
            .order_by(KioskPrint.id)
        ).scalars()
    )


def print_by_id(s: Session, print_id: int) -> KioskPrint | None:
    return s.get(KioskPrint, print_id)


def setting(s: Session, key: str) -> KioskSetting | None:
    """The run-time setting under `key`, or None while it was never set."""
    return s.get(KioskSetting, key)
