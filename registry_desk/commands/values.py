"""Numbers and dates on the command line: parsed once, here, with a Chinese refusal naming the option.

argparse's `type=int` takes "99999999999999999999" and "-3" alike, and a date option used to reach
`date.fromisoformat` or a database query with 9999-12-31 (whose next day does not exist). These parsers
are given to argparse as `type=`; a refusal is an `ArgumentTypeError`, which the command line's parser
prints in Chinese with exit status 2, before any work starts.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date

from registry_desk.domain.errors import ValidationError

_INTEGER = re.compile(r"[+-]?\d{1,18}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The register's calendar: nothing is recorded before the real-estate registration regulations, and a day
# past 2999 is a typing mistake (and 9999-12-31 has no next day to end a period on).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def integer(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `minimum` to `maximum`."""

    def parse(text: str) -> int:
        stripped = text.strip()
        if not _INTEGER.fullmatch(stripped):
            raise argparse.ArgumentTypeError(f"“{text}”不是整数（应在 {minimum} 至 {maximum} 之间）")
        value = int(stripped)
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{value} 超出范围（应在 {minimum} 至 {maximum} 之间）")
        return value

    parse.__name__ = "整数"
    return parse


def parse_day(text: str, what: str) -> date:
    """A calendar day written YYYY-MM-DD, within the register's calendar; a ValidationError naming `what`
    (the option) otherwise."""
    stripped = text.strip()
    try:
        if not _DATE.fullmatch(stripped) or not stripped.isascii():
            raise ValueError
        day = date.fromisoformat(stripped)
    except ValueError:
        raise ValidationError(
            f"{what}“{text}”不是有效日期，应形如 2026-03-01", rule="日期格式", record=text
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            f"{what}“{text}”超出可受理的日期范围（{FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}）",
            rule="日期格式",
            record=text,
        )
    return day


def period(start: date, end: date, what: str) -> None:
    """Refuses a period whose end comes before its start."""
    if end < start:
        raise ValidationError(
            f"{what}：截止日期 {end.isoformat()} 早于起始日期 {start.isoformat()}",
            rule="日期范围",
            record=f"{start.isoformat()}—{end.isoformat()}",
        )
