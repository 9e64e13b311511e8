"""Beijing time, defined once (domain/clock.py): the counter's day turns at 16:00 UTC, and a naive stored
timestamp means UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from registry_desk.domain import clock
from registry_desk.payments import channel
from registry_desk.registration import issuing


def test_the_counters_day_turns_at_sixteen_hundred_utc():
    assert clock.local_date(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert clock.local_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_a_naive_timestamp_is_utc_as_stored_and_an_aware_one_keeps_its_instant():
    naive = datetime(2026, 12, 31, 17, 30)
    assert clock.as_utc(naive) == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert clock.local_time(naive).hour == 1 and clock.local_date(naive) == date(2027, 1, 1)
    elsewhere = datetime(2026, 12, 31, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert clock.as_utc(elsewhere) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)


def test_every_module_uses_the_one_definition():
    assert channel.CHINA_TZ is issuing.CHINA_TZ is clock.CHINA_TZ
    assert issuing.local_date is clock.local_date
    assert channel.as_utc is clock.as_utc
