"""“处理中” marker rows (CaseClaim): which window has a case open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.storage.hall.tables import CaseClaim
from registry_desk.storage.tables import Case


def case_exists(session: Session, case_number: str) -> bool:
    return session.scalar(select(Case.id).where(Case.case_number == case_number)) is not None


def insert_claim_if_absent(
    session: Session, case_number: str, username: str, display_name: str, window: str, now: datetime
) -> None:
    """Inserts the claim unless the case already has one (ON CONFLICT DO NOTHING): of two windows opening
    the same case at once, one insert wins and the other then reads the winner's row."""
    insert_ = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert_(CaseClaim)
        .values(
            case_number=case_number,
            username=username,
            display_name=display_name,
            window=window,
            since=now,
            last_seen=now,
        )
        .on_conflict_do_nothing(index_elements=["case_number"])
    )


def lock_claim(session: Session, case_number: str) -> CaseClaim:
    """The case's claim row, locked and re-read."""
    return session.execute(
        select(CaseClaim)
        .where(CaseClaim.case_number == case_number)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def touch_claim(session: Session, case_number: str, username: str, now: datetime) -> int:
    """Renews the user's claim on the case; returns how many rows changed (0: the claim is not theirs)."""
    result = session.execute(
        update(CaseClaim)
        .where(CaseClaim.case_number == case_number, CaseClaim.username == username)
        .values(last_seen=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_claim(session: Session, case_number: str, username: str) -> None:
    """Removes the user's claim on the case (another user's is left alone)."""
    session.execute(
        delete(CaseClaim).where(CaseClaim.case_number == case_number, CaseClaim.username == username)
    )


def delete_claims_of_window(session: Session, username: str, window: str) -> int:
    """Removes every claim the user holds from the window; returns how many."""
    result = session.execute(
        delete(CaseClaim).where(CaseClaim.username == username, CaseClaim.window == window)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def claims_seen_since(session: Session, since: datetime) -> list[CaseClaim]:
    """The claims renewed at or after `since`."""
    return list(session.scalars(select(CaseClaim).where(CaseClaim.last_seen >= since)).all())


def claim_row(session: Session, case_number: str) -> CaseClaim | None:
    return session.get(CaseClaim, case_number)
