"""Beijing time, defined once: the counter's calendar day and clock for an instant stored in UTC.

Nothing here reads the clock (the use cases take `now` from kernel.context.utc_now); it only converts.
China keeps UTC+8 all year, with no daylight saving since 1991.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def as_utc(moment: datetime) -> datetime:
    """An aware UTC instant. SQLite hands back DateTime(timezone=True) columns naive, holding the UTC
    components stored; every instant is normalised here before it is stored or compared."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar day at the counter for an instant (naive means UTC, as stored)."""
    return as_utc(moment).astimezone(CHINA_TZ).date()


def local_time(moment: datetime) -> datetime:
    """The instant on the counter's clock (naive means UTC, as stored)."""
    return as_utc(moment).astimezone(CHINA_TZ)
