"""The statements of the blank certificate paper stock (权证印刷序列号): ranges loaded, and each sheet's serial.

The rules (what overlaps, who may load, when stock is low) live in `kiosk/paper_stock.py`; these functions
only read and write the rows, inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from registry_desk.storage.kiosk.tables import SERIAL_FREE, PaperRange, PaperSerial
from registry_desk.storage.tables import AuditEvent


def range_overlapping(s: Session, prefix: str, width: int, first_no: int, last_no: int) -> PaperRange | None:
    """A loaded range of the same prefix and width sharing a number with `first_no`..`last_no`, if any."""
    return (
        s.execute(
            select(PaperRange).where(
                PaperRange.prefix == prefix,
                PaperRange.width == width,
                PaperRange.first_no <= last_no,
                PaperRange.last_no >= first_no,
            )
        )
        .scalars()
        .first()
    )


def add_free_serials(s: Session, range_id: int, serials: Sequence[str]) -> None:
    """Every sheet of a range just loaded, free, in one multi-row insert; a serial's position is its index."""
    s.execute(
        insert(PaperSerial),
        [
            {"serial": serial, "range_id": range_id, "position": position, "status": SERIAL_FREE}
            for position, serial in enumerate(serials)
        ],
    )


def serial_counts(s: Session, range_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """How many sheets of each range are in each status: (range id, status) → count (absent: none)."""
    counts: dict[tuple[int, str], int] = {}
    if range_ids:
        for range_id, status, n in s.execute(
            select(PaperSerial.range_id, PaperSerial.status, func.count())
            .where(PaperSerial.range_id.in_(range_ids))
            .group_by(PaperSerial.range_id, PaperSerial.status)
        ):
            counts[(range_id, status)] = int(n)
    return counts


def all_ranges(s: Session) -> list[PaperRange]:
    """Every range ever loaded, in the order they were loaded."""
    return list(s.execute(select(PaperRange).order_by(PaperRange.id)).scalars())


def next_free_serial(s: Session, *, lock: bool) -> PaperSerial | None:
    """The lowest free sheet (first range first); with `lock`, row-locked for the caller's transaction."""
    query = (
        select(PaperSerial)
        .where(PaperSerial.status == SERIAL_FREE)
        .order_by(PaperSerial.range_id, PaperSerial.position)
        .limit(1)
    )
    if lock:
        # PostgreSQL: two kiosks skip each other's sheet instead of waiting; SQLite holds the write lock anyway.
        query = query.with_for_update(skip_locked=True)
    return s.execute(query).scalars().first()


def serial_row(s: Session, serial: str) -> PaperSerial | None:
    """The sheet of this serial, or None when it was never loaded."""
    return s.scalar(select(PaperSerial).where(PaperSerial.serial == serial))


def locked_serial(s: Session, serial: str) -> PaperSerial:
    """The sheet of this serial, row-locked (FOR UPDATE); it must exist."""
    return s.execute(select(PaperSerial).where(PaperSerial.serial == serial).with_for_update()).scalar_one()


def actions_since_last(s: Session, counted: str, since: str) -> int:
    """How many `counted` audit events follow the last `since` event (all of them when there is none):
    the stock's low-warning is audited once per delivery of paper."""
    last = s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.action == since)) or 0
    return int(s.scalar(select(func.count()).where(AuditEvent.action == counted, AuditEvent.seq > last)) or 0)
