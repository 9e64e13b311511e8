"""The unit of work as the use cases see it: repositories and the audit trail behind one commit.

A use case written against `Work` (not a Session) runs on the real database through `work(db)` and, in the
unit tests, on an in-memory fake (tests/fakes.py) in milliseconds: the rule it enforces is tested without a
database, and the SQL behind each repository is tested once, against SQLite and PostgreSQL, in
tests/unit/storage. Nothing is saved unless the use case calls `commit()`; an exception leaves nothing.

The accounts are the first feature written this way (operations/users.py); each feature that moves to it
adds its repository here and in storage, as cosmic python's service layer does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database, UnitOfWork
from registry_desk.storage.hall.tables import SignInGuard
from registry_desk.storage.hall.users import SqlAccounts
from registry_desk.storage.tables import User


class Accounts(Protocol):
    """The accounts (账户) a hall keeps."""

    def named(self, username: str) -> User | None: ...
    def taken(self, username: str) -> bool: ...
    def count(self) -> int: ...
    def add(self, user: User) -> None: ...
    def guard_of(self, name_key: str) -> SignInGuard | None:
        """The sign-in guard of a user name as it stands (None for a name never failed), only to read."""
        ...

    def guard(self, name_key: str) -> SignInGuard:
        """The sign-in guard of a user name (made at zero if new), held for this unit of work."""
        ...

    def save_guard(self, guard: SignInGuard) -> None: ...


class Trail(Protocol):
    """The audit trail, as a use case appends to it: saved exactly when the work is committed."""

    def append(
        self,
        actor: Actor,
        action: str,
        *,
        record: str | None = None,
        case_id: int | None = None,
        unit_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None: ...


class Work(Protocol):
    accounts: Accounts
    trail: Trail

    def commit(self) -> None: ...


class WorkSource(Protocol):
    """What opens units of work: the real database (through `work`) or a fake."""

    def work(self, *, write: bool = True) -> AbstractContextManager[Work]: ...


class _SessionTrail:
    __slots__ = ("_session",)

    def __init__(self, session: Any) -> None:
        self._session = session

    def append(
        self,
        actor: Actor,
        action: str,
        *,
        record: str | None = None,
        case_id: int | None = None,
        unit_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        audit.append(
            self._session,
            actor,
            action,
            record=record,
            case_id=case_id,
            unit_id=unit_id,
            before=before,
            after=after,
        )


class _SqlWork:
    __slots__ = ("_uow", "accounts", "trail")

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.accounts: Accounts = SqlAccounts(uow.session)
        self.trail: Trail = _SessionTrail(uow.session)

    def commit(self) -> None:
        self._uow.commit()


@contextmanager
def _sql_work(db: Database, write: bool) -> Iterator[Work]:
    with db.unit_of_work(write=write) as uow:
        yield _SqlWork(uow)


def work(source: Database | WorkSource, *, write: bool = True) -> AbstractContextManager[Work]:
    """A unit of work on `source`: a transaction of the database, or the fake's."""
    if isinstance(source, Database):
        return _sql_work(source, write)
    return source.work(write=write)
