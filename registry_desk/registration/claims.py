"""“处理中” markers: which clerk (and which window) has a case open, so the other windows see it.

A claim is advisory: it warns, it does not lock. What keeps two windows from overwriting each other is the
case's version (registration/versioning.py refuses a write made against an older version). A claim is kept fresh by
the window's heartbeat while the case is open, given up when the window closes it, and simply ignored once
nothing has been heard from its window for `INACTIVITY` (a window that crashed or lost its network).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import NotFound
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.hall.tables import CaseClaim
from registry_desk.storage.register import claims as claim_rows

INACTIVITY = timedelta(minutes=10)
HEARTBEAT = timedelta(minutes=1)  # how often an open case window renews its claim

_STAFF = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)


@dataclass(frozen=True)
class Claim:
    case_number: str
    username: str
    display_name: str
    window: str
    since: datetime
    last_seen: datetime

    @property
    def label(self) -> str:
        """What the other windows show: 由 张三（3号窗口）处理中."""
        return f"由 {self.display_name}（{self.window}）处理中"

    def is_held_by(self, actor: Actor) -> bool:
        return self.username == actor.username


def window_name(actor: Actor) -> str:
    """The counter the actor sits at (their 窗口号), or the workstation's name for staff without one."""
    if actor.window:
        return actor.window if actor.window.endswith("窗口") else f"{actor.window}号窗口"
    return socket.gethostname()[:64] or "未知终端"


def _view(row: CaseClaim) -> Claim:
    return Claim(row.case_number, row.username, row.display_name, row.window, row.since, row.last_seen)


def _is_live(row: CaseClaim, now: datetime) -> bool:
    return row.last_seen >= now - INACTIVITY


def claim(
    db: Database, actor: Actor, case_number: str, *, window: str | None = None, now: datetime | None = None
) -> Claim:
    """Marks the case as being worked on by `actor`, and returns the claim that stands afterwards: the
    actor's own, or — when another person's live claim already stands — theirs, untouched (the caller shows
    it). A stale claim (no heartbeat for INACTIVITY) is taken over."""
    actor.require(*_STAFF, operation="打开业务办理")
    now = now or utc_now()
    number = case_number.strip()
    where = window or window_name(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        if not claim_rows.case_exists(s, number):
            raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
        # Two windows opening the same case at once: one insert wins, the other then reads the winner's row.
        claim_rows.insert_claim_if_absent(s, number, actor.username, actor.display_name, where, now)
        row = claim_rows.lock_claim(s, number)
        if row.username == actor.username:
            row.last_seen = now
            row.window = where
        elif not _is_live(row, now):
            row.username = actor.username
            row.display_name = actor.display_name
            row.window = where
            row.since = now
            row.last_seen = now
        result = _view(row)
        uow.commit()
    return result


def touch(db: Database, actor: Actor, case_number: str, *, now: datetime | None = None) -> bool:
    """The heartbeat of an open case window; False when the claim is no longer the actor's (it lapsed and
    someone else took the case over)."""
    now = now or utc_now()
    with db.unit_of_work() as uow:
        touched = claim_rows.touch_claim(uow.session, case_number.strip(), actor.username, now)
        uow.commit()
    return bool(touched)


def release(db: Database, actor: Actor, case_number: str) -> None:
    """The window closed the case: the marker goes (only the actor's own; another's claim is left alone)."""
    with db.unit_of_work() as uow:
        claim_rows.delete_claim(uow.session, case_number.strip(), actor.username)
        uow.commit()


def release_all(db: Database, actor: Actor, *, window: str | None = None) -> int:
    """The window is closing (or logging out): gives up every claim it holds; returns how many."""
    where = window or window_name(actor)
    with db.unit_of_work() as uow:
        released = claim_rows.delete_claims_of_window(uow.session, actor.username, where)
        uow.commit()
    return released


def active_claims(db: Database, *, now: datetime | None = None) -> dict[str, Claim]:
    """Every live claim by case number (the case list shows them)."""
    now = now or utc_now()
    with db.unit_of_work(write=False) as uow:
        rows = claim_rows.claims_seen_since(uow.session, now - INACTIVITY)
        return {row.case_number: _view(row) for row in rows}


def claim_of(db: Database, case_number: str, *, now: datetime | None = None) -> Claim | None:
    """The live claim on one case, if any."""
    now = now or utc_now()
    with db.unit_of_work(write=False) as uow:
        row = claim_rows.claim_row(uow.session, case_number.strip())
        return _view(row) if row is not None and _is_live(row, now) else None


def held_by_other(
    db: Database, actor: Actor, case_number: str, *, now: datetime | None = None
) -> Claim | None:
    """Someone else's live claim on the case (what the detail window warns about), or None."""
    found = claim_of(db, case_number, now=now)
    return found if found is not None and not found.is_held_by(actor) else None
