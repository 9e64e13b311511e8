"""The accounts' reads (by user name, how many there are), the sign-in guards (failed sign-ins and locks
per user name), and the register's kind (demo or production)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.storage.hall.tables import RegisterKind, SignInGuard
from registry_desk.storage.tables import Case, Unit, User


def user_named(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


def _insert(session: Session, table: type) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def locked_guard(session: Session, name_key: str) -> SignInGuard:
    """The guard of one user name, made (at zero) when there is none yet, and locked for this transaction
    (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transaction already holds the whole file), so two
    windows failing at once both count."""
    session.execute(
        _insert(session, SignInGuard)
        .values(name_key=name_key, failures=0, locks=0, locked_until=None, last_failure_at=None)
        .on_conflict_do_nothing()
    )
    guard = session.scalars(
        select(SignInGuard)
        .where(SignInGuard.name_key == name_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return guard


def guard_of(session: Session, name_key: str) -> SignInGuard | None:
    return session.get(SignInGuard, name_key)


def register_is_demo(session: Session) -> bool | None:
    """True for a demo register, False for a production one, None while undecided."""
    row = session.get(RegisterKind, 1)
    return None if row is None else bool(row.demo)


def register_in_use(session: Session) -> bool:
    """Whether the register holds anything at all: an account, a unit or a case."""
    return bool(
        session.scalar(select(exists().where(User.id.isnot(None))))
        or session.scalar(select(exists().where(Unit.id.isnot(None))))
        or session.scalar(select(exists().where(Case.id.isnot(None))))
    )


def decide_register_kind(session: Session, demo: bool, decided_by: str, at: datetime) -> bool:
    """Records the register's kind unless it is already recorded (by anyone, even concurrently); returns the
    kind that stands. The row is never updated: a production register cannot become a demo one."""
    session.execute(
        _insert(session, RegisterKind)
        .values(id=1, demo=demo, decided_at=at, decided_by=decided_by[:64])
        .on_conflict_do_nothing()
    )
    row = session.scalars(
        select(RegisterKind).where(RegisterKind.id == 1).execution_options(populate_existing=True)
    ).one()
    return bool(row.demo)


class SqlAccounts:
    """The accounts repository (kernel/work.py `Accounts`) over a unit of work's session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def named(self, username: str) -> User | None:
        return user_named(self._session, username)

    def taken(self, username: str) -> bool:
        return username_taken(self._session, username)

    def count(self) -> int:
        return count_users(self._session)

    def add(self, user: User) -> None:
        self._session.add(user)
        self._session.flush()

    def guard_of(self, name_key: str) -> SignInGuard | None:
        return guard_of(self._session, name_key)

    def guard(self, name_key: str) -> SignInGuard:
        return locked_guard(self._session, name_key)

    def save_guard(self, guard: SignInGuard) -> None:
        self._session.flush()
