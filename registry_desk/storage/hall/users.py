"""The accounts' reads: by user name, and how many there are."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry_desk.storage.tables import User


def user_named(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


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
