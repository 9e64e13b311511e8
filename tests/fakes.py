"""An in-memory hall for use-case tests (kernel/work.py): the same `Work` the use cases get from the real
database, with nothing behind it but dictionaries, so a rule is tested in milliseconds. What is kept is
what was committed; an exception before `commit()` leaves the hall as it was, as a transaction would."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from registry_desk.kernel.context import Actor
from registry_desk.storage.hall.tables import SignInGuard
from registry_desk.storage.tables import User


@dataclass
class TrailEvent:
    actor: str
    action: str
    record: str | None
    case_id: int | None
    unit_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class FakeAccounts:
    def __init__(self, users: dict[str, User], guards: dict[str, SignInGuard] | None = None) -> None:
        self.users = users
        self.guards = guards if guards is not None else {}

    def named(self, username: str) -> User | None:
        return self.users.get(username)

    def taken(self, username: str) -> bool:
        return username in self.users

    def count(self) -> int:
        return len(self.users)

    def add(self, user: User) -> None:
        user.id = max((u.id for u in self.users.values()), default=0) + 1
        self.users[user.username] = user

    def guard_of(self, name_key: str) -> SignInGuard | None:
        return self.guard(name_key) if name_key in self.guards else None

    def guard(self, name_key: str) -> SignInGuard:
        # A copy: changes reach the hall only through save_guard and commit, as a row would.
        kept = self.guards.get(name_key)
        if kept is None:
            return SignInGuard(
                name_key=name_key, failures=0, locks=0, locked_until=None, last_failure_at=None
            )
        return SignInGuard(
            name_key=name_key,
            failures=kept.failures,
            locks=kept.locks,
            locked_until=kept.locked_until,
            last_failure_at=kept.last_failure_at,
        )

    def save_guard(self, guard: SignInGuard) -> None:
        self.guards[guard.name_key] = guard


class FakeTrail:
    def __init__(self, events: list[TrailEvent]) -> None:
        self.events = events

    def append(self, actor: Actor, action: str, **details: Any) -> None:
        self.events.append(
            TrailEvent(
                actor.username,
                action,
                details.get("record"),
                details.get("case_id"),
                details.get("unit_id"),
                details.get("before"),
                details.get("after"),
            )
        )


class FakeWork:
    def __init__(self, hall: FakeHall, write: bool) -> None:
        self._hall = hall
        self._write = write
        # The work sees a copy; the hall takes it over on commit (a rollback is dropping the copy).
        self.accounts = FakeAccounts(dict(hall.users), dict(hall.guards))
        self.trail = FakeTrail(list(hall.events))
        self.committed = False

    def commit(self) -> None:
        if not self._write:
            raise AssertionError("a read-only unit of work cannot commit")
        self._hall.users = self.accounts.users
        self._hall.guards = self.accounts.guards
        self._hall.events = self.trail.events
        self._hall.commits += 1
        self.committed = True


@dataclass
class FakeHall:
    """A hall's records in memory: accounts and the audit trail, and how many commits it took."""

    users: dict[str, User] = field(default_factory=dict)
    guards: dict[str, SignInGuard] = field(default_factory=dict)  # by name_key
    events: list[TrailEvent] = field(default_factory=list)
    commits: int = 0

    @contextmanager
    def work(self, *, write: bool = True) -> Iterator[FakeWork]:
        yield FakeWork(self, write)

    def snapshot(self) -> tuple[dict[str, Any], list[TrailEvent]]:
        return copy.deepcopy({name: (u.role, u.active) for name, u in self.users.items()}), list(self.events)
