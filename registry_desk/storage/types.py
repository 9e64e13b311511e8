"""Column types that keep money, areas, shares and code lists exact on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.types import TypeDecorator

from registry_desk.domain.money import Money


class FenType(TypeDecorator[Money]):
    """Money stored as integer fen (SQLite's NUMERIC is a float underneath)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Money | None, dialect: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError(f"expected Money, got {type(value).__name__}")
        return value.fen

    def process_result_value(self, value: int | None, dialect: Any) -> Money | None:
        return None if value is None else Money.of_fen(int(value))

    def direct_result(self) -> Any:
        return lambda value: Money(int(value))

    def direct_bind(self, dialect: Any) -> Any:
        process = self.process_bind_param
        return lambda value: value.fen if type(value) is Money else process(value, dialect)


class AreaType(TypeDecorator[Decimal]):
    """Square metres with two decimals, stored as integer hundredths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | str | int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("areas are Decimal, never float")
        scaled = Decimal(value) * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"面积 {value} 超过两位小数")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))

    def direct_result(self) -> Any:
        # The same Decimal as process_result_value's (coefficient = hundredths, exponent -2), without the
        # division and the quantize.
        return lambda value: Decimal(int(value)).scaleb(-2)


class ShareType(TypeDecorator[Fraction]):
    """A co-ownership share (权利比例) as an exact fraction, stored as text "1/3"."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Fraction | None, dialect: Any) -> str | None:
        if value is None:
            return None
        value = Fraction(value)
        return f"{value.numerator}/{value.denominator}"

    def process_result_value(self, value: str | None, dialect: Any) -> Fraction | None:
        return None if value is None else Fraction(value)

    def direct_result(self) -> Any:
        return Fraction


class CodeType(TypeDecorator[Any]):
    """An enum of domain.codes stored by its code (text or integer), so the database reads plainly."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_cls: type[Enum], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_cls = enum_cls
        self._int = issubclass(enum_cls, int)
        # Reading a code is on every look-up's path: a dict beats Enum.__call__ several times over.
        self._members = {member.value: member for member in enum_cls}

    def load_dialect_impl(self, dialect: Any) -> Any:
        return dialect.type_descriptor(Integer() if self._int else String(32))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        member = value if isinstance(value, self.enum_cls) else self.enum_cls(value)
        return int(member.value) if self._int else str(member.value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        member = self._members.get(value)
        return member if member is not None else self.enum_cls(value)

    def direct_result(self) -> Any:
        members, enum_cls = self._members, self.enum_cls

        def convert(value: Any) -> Any:
            member = members.get(value)
            return member if member is not None else enum_cls(value)

        return convert

    def direct_bind(self, dialect: Any) -> Any:
        # Keyed by member; a plain value equal to one (a StrEnum's text, an IntEnum's number) finds it too.
        codes = {member: int(member.value) if self._int else str(member.value) for member in self.enum_cls}
        process = self.process_bind_param

        def convert(value: Any) -> Any:
            code = codes.get(value)
            return code if code is not None else process(value, dialect)

        return convert


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as UTC and always read back timezone-aware (UTC).

    SQLite has no time zones: SQLAlchemy writes an aware datetime's wall-clock digits and drops the offset,
    so 09:00+08:00 would read back as 09:00 with no zone. Converting to UTC on the way in and attaching UTC
    on the way out makes SQLite behave as PostgreSQL's timestamptz does. A naive value is refused: the
    program must know which clock it read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware moment (e.g. UTC)")
        moment = value.astimezone(timezone.utc)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def direct_bind(self, dialect: Any) -> Any:
        process = self.process_bind_param
        return lambda value: process(value, dialect)

    def direct_raw_result(self, dialect: Any) -> Any:
        """The driver's value straight to an aware UTC datetime. SQLite hands back SQLAlchemy's stored text
        ("2026-03-02 02:00:00.000000"), which datetime.fromisoformat reads several times faster than the
        dialect's own parser; PostgreSQL's driver already gives a datetime."""
        utc = timezone.utc

        def convert(value: Any) -> datetime:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            return moment.replace(tzinfo=utc) if moment.tzinfo is None else moment.astimezone(utc)

        return convert
