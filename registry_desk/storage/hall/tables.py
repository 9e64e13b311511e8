"""Tables of the hall's shared state between windows (claims on open cases), made by migration 0005."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
