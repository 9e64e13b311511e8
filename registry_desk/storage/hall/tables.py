"""Tables of the hall's shared state: claims on open cases between windows (migration 0005); the sign-in
guards and the register's kind, demo or production (migration 0008)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry_desk.storage.tables import Base
from registry_desk.storage.types import UtcDateTime


class CaseClaim(Base):
    """“处理中”: the case is open in a clerk's window. Advisory only (the case's version refuses conflicting
    writes); kept fresh by the window's heartbeat and ignored once `last_seen` is too old."""

    __tablename__ = "case_claims"

    case_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(64))
    window: Mapped[str] = mapped_column(String(64))  # 窗口号 or the workstation's name
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())


class SignInGuard(Base):
    """Failed sign-ins under one user name and its lock (operations/users.py). Keyed by a digest of the name,
    not the name, and kept for unknown names too: a name that is no account locks exactly like one that is,
    so the lockout does not tell which names exist (and a password typed into the name field is not kept)."""

    __tablename__ = "sign_in_guards"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)  # since the last success or the last lock
    locks: Mapped[int] = mapped_column(Integer)  # since the last success: picks the back-off step
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RegisterKind(Base):
    """One row: whether this database is a demo register. Written once, when the database is first opened
    by the application (bootstrap.open_database) or by migration 0008 for a database already in use, and
    never changed: the demo seeding refuses a production register."""

    __tablename__ = "register_kind"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    demo: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(64))
