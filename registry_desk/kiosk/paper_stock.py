"""Blank certificate paper (权证印刷序列号): ranges an administrator loads, and each serial free, used or spoiled.

Every sheet of 不动产权证书/证明 paper carries a pre-printed serial; the registry must be able to say for each
one whether it is still in stock, which certificate it carries, or why it was spoiled (作废). Serials are
taken lowest first, under the write lock of the transaction that prints on them, so two kiosks never take
the same sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import paper, prints
from registry_desk.storage.kiosk.tables import (
    SERIAL_FREE,
    SERIAL_PRINTING,
    SERIAL_SPOILED,
    SERIAL_USED,
    KioskSetting,
    PaperRange,
    PaperSerial,
    utc,
)
from registry_desk.storage.session import Session

RULE = "权证印刷序列号管理"
MAX_RANGE = 100_000  # one load is a delivery of paper; a bigger number is a typing mistake
DEFAULT_LOW_STOCK = 50
LOW_STOCK_KEY = "paper.low_stock_threshold"
LOADED_ACTION = "paper.loaded"
LOW_STOCK_ACTION = "paper.low_stock"
SPOILED_ACTION = "paper.spoiled"
VIEWERS = (Role.ADMIN, Role.REGISTRAR, Role.CLERK)

_SERIAL = re.compile(r"^([A-Z]{0,8})(\d{4,16})$")


@dataclass(frozen=True)
class Serial:
    """A serial split into its letters and its number (NX2026000001 → "NX", 2026000001, 10 digits)."""

    prefix: str
    number: int
    width: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.number:0{self.width}d}"


def parse_serial(text: str) -> Serial:
    """Reads a serial as printed; full-width characters and lower case (a scanner's or a keyboard's) are accepted."""
    cleaned = text.strip().upper().translate({0xFF10 + i: ord("0") + i for i in range(10)})
    cleaned = "".join(chr(ord(c) - 0xFEE0) if "Ａ" <= c <= "Ｚ" else c for c in cleaned)
    match = _SERIAL.match(cleaned)
    if match is None:
        raise ValidationError(
            f"“{text.strip()}”不是有效的印刷序列号：应为至多8个字母加4至16位数字，例如 NX2026000001",
            rule=RULE,
            record=text.strip(),
        )
    return Serial(match.group(1), int(match.group(2)), len(match.group(2)))


@dataclass(frozen=True)
class RangeLine:
    id: int
    first_serial: str
    last_serial: str
    total: int
    free: int
    printing: int
    used: int
    spoiled: int
    loaded_by: str
    loaded_at: datetime


@dataclass(frozen=True)
class StockStatus:
    """What the paper stock view and `registry-desk paper status` show."""

    ranges: tuple[RangeLine, ...]
    free: int
    printing: int
    used: int
    spoiled: int
    threshold: int
    next_serial: str | None

    @property
    def total(self) -> int:
        return self.free + self.printing + self.used + self.spoiled

    @property
    def low(self) -> bool:
        return self.free <= self.threshold

    def warning(self) -> str:
        """The administrator's warning in plain words, or "" while stock is sufficient."""
        if self.free == 0:
            return "空白证书纸已用完，自助打证机无法打证，请立即装入新的印刷序列号段"
        if self.low:
            return f"空白证书纸仅剩 {self.free} 张（预警线 {self.threshold} 张），请及时补充"
        return ""


def load_range(
    db: Database, actor: Actor, first: str, last: str, *, note: str | None = None, now: datetime | None = None
) -> RangeLine:
    """An administrator puts a delivery of numbered blank paper into stock (all or nothing)."""
    actor.require(Role.ADMIN, operation="载入空白证书纸印刷序列号")
    now = utc(now or utc_now())
    a, b = parse_serial(first), parse_serial(last)
    record = f"{a}—{b}"
    if (a.prefix, a.width) != (b.prefix, b.width):
        raise ValidationError(
            f"起止序列号 {a} 与 {b} 的字母前缀或位数不同，不是同一号段", rule=RULE, record=record
        )
    if b.number < a.number:
        raise ValidationError(f"终止序列号 {b} 小于起始序列号 {a}", rule=RULE, record=record)
    count = b.number - a.number + 1
    if count > MAX_RANGE:
        raise ValidationError(
            f"号段 {record} 共 {count} 张，超过一次最多载入的 {MAX_RANGE} 张，请核对起止号",
            rule=RULE,
            record=record,
        )
    with db.unit_of_work() as uow:
        s = uow.session
        clash = paper.range_overlapping(s, a.prefix, a.width, a.number, b.number)
        if clash is not None:
            raise RuleViolation(
                f"号段 {record} 与已载入的号段 {clash.first_serial}—{clash.last_serial} 重叠，同一序列号不能载入两次",
                rule=RULE,
                record=record,
            )
        row = PaperRange(
            prefix=a.prefix,
            width=a.width,
            first_no=a.number,
            last_no=b.number,
            first_serial=str(a),
            last_serial=str(b),
            loaded_by=actor.username,
            loaded_at=now,
            note=note,
        )
        s.add(row)
        s.flush()
        paper.add_free_serials(
            s, row.id, [str(Serial(a.prefix, n, a.width)) for n in range(a.number, b.number + 1)]
        )
        audit.append(
            s, actor, LOADED_ACTION, record=record, after={"count": count, "range_id": row.id}, at=now
        )
        line = _range_lines(s, [row])[0]
        uow.commit()
    return line


def _range_lines(s: Session, ranges: list[PaperRange]) -> list[RangeLine]:
    counts = paper.serial_counts(s, [r.id for r in ranges])
    return [
        RangeLine(
            r.id,
            r.first_serial,
            r.last_serial,
            r.last_no - r.first_no + 1,
            counts.get((r.id, SERIAL_FREE), 0),
            counts.get((r.id, SERIAL_PRINTING), 0),
            counts.get((r.id, SERIAL_USED), 0),
            counts.get((r.id, SERIAL_SPOILED), 0),
            r.loaded_by,
            utc(r.loaded_at),
        )
        for r in ranges
    ]


def low_stock_threshold(s: Session) -> int:
    row = prints.setting(s, LOW_STOCK_KEY)
    return int(row.value) if row is not None else DEFAULT_LOW_STOCK


def set_low_stock_threshold(
    db: Database, actor: Actor, threshold: int, *, now: datetime | None = None
) -> int:
    actor.require(Role.ADMIN, operation="设置空白证书纸预警线")
    if threshold < 0 or threshold > MAX_RANGE:
        raise ValidationError(
            f"预警线 {threshold} 张无效，应在 0 至 {MAX_RANGE} 之间", rule=RULE, record=str(threshold)
        )
    now = utc(now or utc_now())
    with db.unit_of_work() as uow:
        s = uow.session
        row = prints.setting(s, LOW_STOCK_KEY)
        before = None if row is None else {"threshold": int(row.value)}
        if row is None:
            row = KioskSetting(key=LOW_STOCK_KEY, value=str(threshold), set_by=actor.username, set_at=now)
            s.add(row)
        else:
            row.value, row.set_by, row.set_at = str(threshold), actor.username, now
        audit.append(
            s,
            actor,
            "paper.threshold",
            record=LOW_STOCK_KEY,
            before=before,
            after={"threshold": threshold},
            at=now,
        )
        uow.commit()
    return threshold


def stock_in(s: Session) -> StockStatus:
    lines = _range_lines(s, paper.all_ranges(s))
    nxt = paper.next_free_serial(s, lock=False)
    return StockStatus(
        ranges=tuple(lines),
        free=sum(r.free for r in lines),
        printing=sum(r.printing for r in lines),
        used=sum(r.used for r in lines),
        spoiled=sum(r.spoiled for r in lines),
        threshold=low_stock_threshold(s),
        next_serial=nxt.serial if nxt is not None else None,
    )


def stock_status(db: Database, actor: Actor) -> StockStatus:
    actor.require(*VIEWERS, operation="查看空白证书纸库存")
    with db.unit_of_work(write=False) as uow:
        return stock_in(uow.session)


def serial_history(db: Database, actor: Actor, serial: str) -> dict[str, object]:
    """What happened to one sheet (for an auditor holding a spoiled sheet in hand)."""
    actor.require(*VIEWERS, operation="查询印刷序列号")
    wanted = str(parse_serial(serial))
    with db.unit_of_work(write=False) as uow:
        row = paper.serial_row(uow.session, wanted)
        if row is None:
            raise NotFound(f"印刷序列号 {wanted} 未载入库存", rule=RULE, record=wanted)
        return {
            "serial": row.serial,
            "status": row.status,
            "certificate_number": row.certificate_number,
            "used_by": row.used_by,
            "used_at": utc(row.used_at) if row.used_at else None,
            "spoiled_reason": row.spoiled_reason,
        }


# ---------------------------------------------------------------------------------------------------------
# Used by the printing services inside their own transactions


def take_serial(
    s: Session, actor: Actor, certificate_number: str, case_id: int | None, now: datetime
) -> PaperSerial:
    """The next free sheet, marked as being printed on for `certificate_number` (in the caller's transaction)."""
    row = paper.next_free_serial(s, lock=True)
    if row is None:
        raise RuleViolation(
            "空白证书纸已用完（没有未使用的印刷序列号），暂不能打证，请联系管理员装纸或到窗口领取",
            rule=RULE,
            record=certificate_number,
        )
    row.status = SERIAL_PRINTING
    row.certificate_number = certificate_number
    row.case_id = case_id
    row.used_by = actor.username
    row.used_at = utc(now)
    s.flush()
    return row


def mark_used(s: Session, serial: str, now: datetime) -> None:
    row = paper.locked_serial(s, serial)
    row.status = SERIAL_USED
    row.used_at = utc(now)


def mark_spoiled(s: Session, actor: Actor, serial: str, reason: str, now: datetime) -> None:
    row = paper.locked_serial(s, serial)
    row.status = SERIAL_SPOILED
    row.spoiled_reason = reason[:256]
    row.used_at = utc(now)
    audit.append(
        s,
        actor,
        SPOILED_ACTION,
        case_id=row.case_id,
        record=serial,
        after={"certificate_number": row.certificate_number, "reason": reason[:256]},
        at=utc(now),
    )


def warn_if_low(s: Session, actor: Actor, now: datetime) -> StockStatus:
    """Audits a low-stock warning once per delivery: when stock first falls to the threshold after the last load."""
    status = stock_in(s)
    if status.low:
        if not paper.actions_since_last(s, LOW_STOCK_ACTION, since=LOADED_ACTION):
            audit.append(
                s,
                actor,
                LOW_STOCK_ACTION,
                record="paper",
                after={"free": status.free, "threshold": status.threshold, "message": status.warning()},
                at=utc(now),
            )
    return status
