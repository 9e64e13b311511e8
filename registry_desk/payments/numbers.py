"""Numbers the payment side issues: order numbers, 非税缴款码, 电子税票号, 票据号码, and their check digits.

All serials come from `sequences` rows advanced inside the caller's transaction, so a rolled-back order
leaves no gap and two windows never draw the same number (the UPDATE locks the row on PostgreSQL; on
SQLite the writing transaction already holds the database's write lock).

Formats (our own; the production formats of the 非税 and tax systems were not available):
* 缴款码 (20 digits): ``640500`` (中卫市 region code, GB/T 2260) · 2-digit year · 11-digit serial · 1 check
  digit by ISO 7064 MOD 11,10 over the first 19 digits. MOD 11,10 gives a decimal digit for every input and
  catches every single wrong digit and most swapped neighbours, which is what a code read out or typed at a
  bank counter needs.
* 电子税票号 (18 digits): ``364`` · 2-digit year · 12-digit serial · 1 MOD 11,10 check digit.
* order number (20 characters): ``SF`` · CST date YYYYMMDD · 6-digit daily serial · 4 random digits (the
  random tail keeps a number reused after a rolled-back transaction distinct at the channel).
* 票据代码 ``640501`` + 2-digit year; 票据号码 a 10-digit yearly serial; 校验码 the first 6 hex digits
  (upper case) of SHA-256 over code|number|amount|date|payer ID.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from registry_desk.domain.money import Money
from registry_desk.payments.channel import CHINA_TZ
from registry_desk.kernel.numbers import next_value as register_next_value
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.session import Session

REGION_CODE = "640500"


def mod11_10_check_digit(digits: str) -> str:
    """ISO 7064 MOD 11,10 check digit for a string of decimal digits."""
    if not digits.isdigit():
        raise ValueError("MOD 11,10 is defined for decimal digits only")
    product = 10
    for ch in digits:
        total = (product + int(ch)) % 10 or 10
        product = (2 * total) % 11
    return str((11 - product) % 10)


def mod11_10_valid(code: str) -> bool:
    return len(code) >= 2 and code.isdigit() and mod11_10_check_digit(code[:-1]) == code[-1]


def next_value(session: Session | Driver, name: str) -> int:
    """Advances the named sequence in the caller's transaction and returns the new value.

    The counters are the register's (kernel/numbers.py): one UPDATE … RETURNING when the counter exists,
    which takes its row lock and the value together; the INSERT only for a counter's first number.
    """
    return register_next_value(session, name)


def _yy(now: datetime) -> str:
    return f"{now.astimezone(CHINA_TZ).year % 100:02d}"


def new_order_no(session: Session, now: datetime) -> str:
    day = now.astimezone(CHINA_TZ).strftime("%Y%m%d")
    serial = next_value(session, f"payments:order:{day}")
    return f"SF{day}{serial:06d}{secrets.randbelow(10_000):04d}"


def new_payment_code(session: Session, now: datetime) -> str:
    """A 20-digit 非税缴款码."""
    serial = next_value(session, f"payments:nontax:{_yy(now)}")
    body = f"{REGION_CODE}{_yy(now)}{serial:011d}"
    return body + mod11_10_check_digit(body)


def new_tax_ticket_no(session: Session, now: datetime) -> str:
    """An 18-digit 电子税票号."""
    serial = next_value(session, f"payments:taxticket:{_yy(now)}")
    body = f"364{_yy(now)}{serial:012d}"
    return body + mod11_10_check_digit(body)


def bill_code(now: datetime) -> str:
    return f"640501{_yy(now)}"


def new_bill_number(session: Session, now: datetime) -> str:
    serial = next_value(session, f"payments:bill:{_yy(now)}")
    return f"{serial:010d}"


def bill_check_code(code: str, number: str, amount: Money, issued_at: datetime, payer_id: str) -> str:
    day = issued_at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    text = f"{code}|{number}|{amount}|{day}|{payer_id}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6].upper()
