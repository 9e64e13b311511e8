"""Working days of mainland China (State Council schedule with 调休) and case due dates counted in them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from registry_desk.domain.errors import RuleViolation, ValidationError

# 不动产登记暂行条例（2019修订）第二十条：自受理登记申请之日起30个工作日内办结。
STATUTORY_CEILING_WORKING_DAYS = 30
STATUTORY_CEILING_RULE = "不动产登记暂行条例第二十条 30个工作日内办结"
SCHEDULE_RULE = "国务院办公厅年度节假日安排通知"

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class WorkingCalendar:
    """Which days the counter counts as working days, for the years whose schedule is confirmed.

    A day is decided in this order: an admin override (True = working, False = day off) wins over
    everything; then the State Council schedule (a listed holiday is off, a listed 调休 weekend is
    worked); otherwise Monday-Friday are working days and weekends are not.

    Overrides do not make a year usable by themselves: the weekday rule would silently miss a year's
    调休 weekends, so a year is usable only if it is in the policy file's confirmed years or the admin
    has explicitly marked it confirmed (`extra_confirmed_years`) after entering its overrides.
    Every computation refuses (RuleViolation) as soon as it needs a day of any other year.
    """

    def __init__(
        self,
        confirmed_years: Iterable[int],
        holidays: Iterable[date],
        makeup_workdays: Iterable[date],
        overrides: Mapping[date, bool] | None = None,
        *,
        extra_confirmed_years: Iterable[int] = (),
    ) -> None:
        self._policy_years = frozenset(int(y) for y in confirmed_years)
        self._admin_years = frozenset(int(y) for y in extra_confirmed_years)
        self._holidays = frozenset(holidays)
        self._makeup_workdays = frozenset(makeup_workdays)
        both = sorted(self._holidays & self._makeup_workdays)
        if both:
            raise ValidationError(
                f"节假日安排自相矛盾：{_cn(both[0])}既列为放假日又列为调休上班日",
                rule=SCHEDULE_RULE,
                record=both[0].isoformat(),
            )
        weekday_makeups = sorted(d for d in self._makeup_workdays if d.weekday() < _SATURDAY)
        if weekday_makeups:
            # A 调休上班日 on a weekday is a typing error in the schedule, not a harmless no-op.
            raise ValidationError(
                f"节假日安排有误：调休上班日{_cn(weekday_makeups[0])}不是周六或周日",
                rule=SCHEDULE_RULE,
                record=weekday_makeups[0].isoformat(),
            )
        checked: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            if not isinstance(day, date) or not isinstance(working, bool):
                raise TypeError(f"override must map date to bool, got {day!r}: {working!r}")
            checked[day] = working
        self._overrides = MappingProxyType(checked)

    @classmethod
    def from_policy(
        cls,
        data: Mapping[str, Any],
        overrides: Mapping[date, bool] | None = None,
        extra_confirmed_years: Iterable[int] = (),
    ) -> WorkingCalendar:
        """Builds the calendar from the parsed resources/policy/calendar_cn.json."""
        holidays: set[date] = set()
        makeups: set[date] = set()
        for year_key, year_data in data["years"].items():
            year = int(year_key)
            for field, target in (("holidays", holidays), ("makeup_workdays", makeups)):
                for text in year_data[field]:
                    day = date.fromisoformat(text)
                    if day.year != year:
                        raise ValidationError(
                            f"节假日安排文件有误：{year}年的{field}中出现了{_cn(day)}",
                            rule=SCHEDULE_RULE,
                            record=text,
                        )
                    target.add(day)
        return cls(
            data["confirmed_years"],
            holidays,
            makeups,
            overrides,
            extra_confirmed_years=extra_confirmed_years,
        )

    @property
    def confirmed_years(self) -> frozenset[int]:
        """Years in which working days may be computed (policy file plus admin-confirmed)."""
        return self._policy_years | self._admin_years

    @property
    def admin_confirmed_years(self) -> frozenset[int]:
        """Years the admin confirmed that the policy file does not cover."""
        return self._admin_years - self._policy_years

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    def is_confirmed_year(self, year: int) -> bool:
        return year in self._policy_years or year in self._admin_years

    def is_working_day(self, day: date) -> bool:
        """True if the counter works on `day`; refuses a day in a year without a confirmed schedule."""
        self._require_confirmed(day)
        return self._decide(day)

    def _decide(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        if day in self._holidays:
            return False
        if day in self._makeup_workdays:
            return True
        return day.weekday() < _SATURDAY

    def _require_confirmed(self, day: date, purpose: str = "") -> None:
        if self.is_confirmed_year(day.year):
            return
        what = f"{purpose}需要用到{_cn(day)}，但" if purpose else ""
        raise RuleViolation(
            f"{what}{day.year}年的节假日安排尚未确认，不能计算办结时限；"
            f"请管理员在“节假日维护”中录入{day.year}年的放假和调休上班安排并确认该年度",
            rule=SCHEDULE_RULE,
            record=day.isoformat(),
        )

    def due_date(self, accepted_on: date, working_days: int) -> date:
        """The last day a case accepted on `accepted_on` may be finished within `working_days`.

        0 means the same day (or the next working day if accepted on a day off); n counts the n-th
        working day after the acceptance day, which itself is not counted.
        """
        if isinstance(working_days, bool) or not isinstance(working_days, int):
            raise TypeError(f"working_days must be an int, got {working_days!r}")
        if working_days < 0:
            raise ValidationError(
                f"办结时限不能为负数（填写的是{working_days}个工作日）",
                rule=STATUTORY_CEILING_RULE,
                record=accepted_on.isoformat(),
            )
        if working_days > STATUTORY_CEILING_WORKING_DAYS:
            raise RuleViolation(
                f"办结时限{working_days}个工作日超过法定上限{STATUTORY_CEILING_WORKING_DAYS}个工作日",
                rule=STATUTORY_CEILING_RULE,
                record=accepted_on.isoformat(),
            )
        purpose = f"计算{_cn(accepted_on)}受理、{working_days}个工作日办结的期限"
        self._require_confirmed(accepted_on, purpose)
        day = accepted_on
        if working_days == 0:
            while not self._decide(day):
                day += _ONE_DAY
                self._require_confirmed(day, purpose)
            return day
        counted = 0
        while counted < working_days:
            day += _ONE_DAY
            self._require_confirmed(day, purpose)
            if self._decide(day):
                counted += 1
        return day

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        return self.due_date(day, 0)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (the time a case actually took).

        Consistent with `due_date`: for n >= 1, working_days_between(a, due_date(a, n)) == n.
        Whether a case is late is a date comparison (finished_on > due_date), not a count.
        """
        if end < start:
            raise ValidationError(
                f"结束日期{_cn(end)}早于开始日期{_cn(start)}，不能计算用时",
                rule=SCHEDULE_RULE,
                record=f"{start.isoformat()}至{end.isoformat()}",
            )
        purpose = f"计算{_cn(start)}至{_cn(end)}的工作日数"
        self._require_confirmed(start, purpose)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            self._require_confirmed(day, purpose)
            if self._decide(day):
                count += 1
        return count
