"""The driver statements' own bind converters (storage/types.py `direct_bind`) give the driver exactly what
SQLAlchemy's wrappers give it, on SQLite and PostgreSQL, and refuse what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from registry_desk.domain.codes import CaseStatus, IdType, RightType
from registry_desk.domain.money import Money
from registry_desk.storage.driver_sql import _bind_processor
from registry_desk.storage.types import AreaType, CodeType, FenType, ShareType, UtcDateTime

DIALECTS = [sqlite.dialect(), postgresql.psycopg.dialect()]
BEIJING = timezone(timedelta(hours=8))

CASES = [
    (FenType(), [Money.yuan("0.01"), Money.yuan("1234567.89"), Money.of_fen(0)]),
    (CodeType(CaseStatus), [CaseStatus.RECORDED, "recorded", CaseStatus.IN_REVIEW]),
    (CodeType(RightType), [RightType.OWNERSHIP, int(RightType.OWNERSHIP)]),
    (CodeType(IdType), [IdType.RESIDENT_ID, IdType.RESIDENT_ID.value, IdType.USCC]),
    (UtcDateTime(), [datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING), datetime(2026, 1, 1, tzinfo=UTC)]),
    (AreaType(), [Decimal("88.50"), "120.01", 7]),
    (ShareType(), [Fraction(1, 3), Fraction(1)]),
]


def _sqlalchemys(type_, dialect):
    return type_.dialect_impl(dialect).bind_processor(dialect)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize(("type_", "values"), CASES, ids=lambda v: type(v).__name__)
def test_the_same_value_reaches_the_driver(dialect, type_, values):
    ours = _bind_processor(type_, dialect)
    theirs = _sqlalchemys(type_, dialect)
    for value in values:
        expected = theirs(value) if theirs is not None else value
        got = ours(value) if ours is not None else value
        assert got == expected and type(got) is type(expected), (value, got, expected)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_what_the_types_refuse_is_still_refused(dialect):
    with pytest.raises(TypeError, match="expected Money"):
        _bind_processor(FenType(), dialect)(12)
    with pytest.raises(ValueError):
        _bind_processor(CodeType(CaseStatus), dialect)("no-such-status")
    with pytest.raises(ValueError, match="naive datetime"):
        _bind_processor(UtcDateTime(), dialect)(datetime(2026, 3, 2, 9, 0))
