"""Tables of the self-service kiosk and the blank certificate paper stock (权证印刷序列号), made by migration 0004.

Timestamps use the register's UtcDateTime (aware UTC in, aware UTC out on both databases).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry_desk.storage.tables import Base
from registry_desk.storage.types import UtcDateTime

# What a serial of blank paper can be: still in the tray, being printed on, printed, or spoiled (作废).
SERIAL_FREE = "free"
SERIAL_PRINTING = "printing"
SERIAL_USED = "used"
SERIAL_SPOILED = "spoiled"
SERIAL_STATUS_LABELS = {
    SERIAL_FREE: "未使用",
    SERIAL_PRINTING: "打印中",
    SERIAL_USED: "已使用",
    SERIAL_SPOILED: "已作废",
}

PRINT_PENDING = "printing"
PRINT_DONE = "printed"
PRINT_FAILED = "failed"


def _tz() -> UtcDateTime:
    return UtcDateTime()


def utc(moment: datetime) -> datetime:
    """The moment as aware UTC (a naive value, as older rows may hold, is taken to be UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


as_utc = utc


class PaperRange(Base):
    """A range of pre-numbered blank certificate paper an administrator put into stock."""

    __tablename__ = "paper_ranges"
    __table_args__ = (Index("ix_paper_ranges_prefix_numbers", "prefix", "first_no", "last_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)  # digits after the prefix, zero padded
    first_no: Mapped[int] = mapped_column(Integer)
    last_no: Mapped[int] = mapped_column(Integer)
    first_serial: Mapped[str] = mapped_column(String(32))
    last_serial: Mapped[str] = mapped_column(String(32))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(_tz())
    note: Mapped[str | None] = mapped_column(String(256))


class PaperSerial(Base):
    """One sheet of blank paper by its printed serial; used or spoiled sheets keep what happened to them."""

    __tablename__ = "paper_serials"
    __table_args__ = (Index("ix_paper_serials_status_range_position", "status", "range_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    range_id: Mapped[int] = mapped_column(ForeignKey("paper_ranges.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=SERIAL_FREE)
    certificate_number: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    used_by: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(_tz())
    spoiled_reason: Mapped[str | None] = mapped_column(String(256))


class KioskPrint(Base):
    """The kiosk's print log: who printed which certificate on which serial, when, and how it ended."""

    __tablename__ = "kiosk_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    serial: Mapped[str] = mapped_column(String(32))
    kiosk_user: Mapped[str] = mapped_column(String(64))
    receiver_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    started_at: Mapped[datetime] = mapped_column(_tz())
    finished_at: Mapped[datetime | None] = mapped_column(_tz())
    outcome: Mapped[str] = mapped_column(String(16), default=PRINT_PENDING)
    output: Mapped[str | None] = mapped_column(String(512))  # the printer or file it went to
    error: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))


class KioskLock(Base):
    """Failed identity checks per case; `locked_until` survives a restart of the kiosk."""

    __tablename__ = "kiosk_locks"

    case_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(_tz())
    locked_until: Mapped[datetime | None] = mapped_column(_tz())


class KioskSetting(Base):
    """Settings an administrator changes at run time (the low-stock threshold)."""

    __tablename__ = "kiosk_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(_tz())


class KioskPickupCode(Base):
    """The 取件码 of one applicant of a case, made by migration 0009: only its keyed hash is kept (the code
    itself is printed once, on that applicant's 受理凭证). A reprint replaces the row (the earlier code no
    longer matches); `used_at` is set when the kiosk hands a certificate over against it."""

    __tablename__ = "kiosk_pickup_codes"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    issue_no: Mapped[int] = mapped_column(Integer, default=1)  # 1 at acceptance, +1 per reprint
    issued_at: Mapped[datetime] = mapped_column(_tz())
    issued_by: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(_tz())
