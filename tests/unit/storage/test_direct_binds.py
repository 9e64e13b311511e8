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


@pytest.mark.parametrize(
    "stored",
    [
        "2026-03-02 02:00:00.000000",
        "2026-03-02 02:00:00",
        "1999-12-31 23:59:59.123456",
        "2026-11-27 03:46:01.5",
    ],
)
def test_sqlite_moments_read_back_as_sqlalchemy_reads_them(stored):
    from registry_desk.storage.prepared import result_processor

    dialect = sqlite.dialect()
    theirs = UtcDateTime().dialect_impl(dialect).result_processor(dialect, None)
    ours = result_processor(UtcDateTime(), dialect)
    assert ours(stored) == theirs(stored) and ours(stored).tzinfo is not None


def test_postgresql_moments_read_back_in_utc():
    from registry_desk.storage.prepared import result_processor

    dialect = postgresql.psycopg.dialect()
    ours = result_processor(UtcDateTime(), dialect)
    aware = datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
    theirs = UtcDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert ours(aware) == (theirs(aware) if theirs else aware) == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert ours(aware).utcoffset() == timedelta(0)


@pytest.mark.parametrize("hundredths", [0, 1, 10662, 100, -250, 123456789])
def test_areas_read_back_exactly_as_sqlalchemy_reads_them(hundredths):
    from registry_desk.storage.prepared import result_processor

    for dialect in DIALECTS:
        theirs = AreaType().dialect_impl(dialect).result_processor(dialect, None)(hundredths)
        ours = result_processor(AreaType(), dialect)(hundredths)
        assert ours == theirs and str(ours) == str(theirs) and ours.as_tuple() == theirs.as_tuple()


@pytest.mark.parametrize("stored", ["2026-03-02", "1999-12-31", "2056-01-04"])
def test_sqlite_dates_read_back_as_sqlalchemy_reads_them(stored):
    from sqlalchemy import Date

    from registry_desk.storage.prepared import result_processor

    dialect = sqlite.dialect()
    theirs = Date().dialect_impl(dialect).result_processor(dialect, None)(stored)
    assert result_processor(Date(), dialect)(stored) == theirs
