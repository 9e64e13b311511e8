"""Working days and due dates against the State Council holiday notices for 2024-2026."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays as holidays_pkg
import pytest

from registry_desk.domain.calendar import WorkingCalendar
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.kernel.calendar_policy import load_policy_calendar, policy_working_calendar


@pytest.fixture(scope="module")
def policy() -> dict:
    return load_policy_calendar()


@pytest.fixture(scope="module")
def cal(policy: dict) -> WorkingCalendar:
    return WorkingCalendar.from_policy(policy)


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- the policy file ---------------------------------------------------------------------------


def test_policy_file_confirms_exactly_2024_to_2026_and_names_each_notice(policy: dict) -> None:
    assert policy["confirmed_years"] == [2024, 2025, 2026]
    numbers = {year: policy["years"][year]["document_number"] for year in ("2024", "2025", "2026")}
    assert numbers == {
        "2024": "国办发明电〔2023〕7号",
        "2025": "国办发明电〔2024〕12号",
        "2026": "国办发明电〔2025〕7号",
    }


def test_policy_periods_have_the_lengths_the_notices_state(policy: dict) -> None:
    # "共N天" as printed in the notices; a transcription slip in first/last shows up here.
    lengths = {
        (year, p["name"]): (date.fromisoformat(p["last"]) - date.fromisoformat(p["first"])).days + 1
        for year, data in policy["years"].items()
        for p in data["periods"]
    }
    assert lengths[("2024", "春节")] == 8  # 国办发明电〔2023〕7号：2月10日至17日，共8天
    assert lengths[("2024", "国庆节")] == 7
    assert lengths[("2025", "春节")] == 8  # 国办发明电〔2024〕12号：1月28日至2月4日，共8天
    assert lengths[("2025", "劳动节")] == 5
    assert lengths[("2025", "国庆节、中秋节")] == 8  # 10月1日至8日，共8天
    assert lengths[("2026", "春节")] == 9  # 国办发明电〔2025〕7号：2月15日至23日，共9天
    assert lengths[("2026", "国庆节")] == 7


def test_policy_flat_lists_are_exactly_the_periods_of_each_notice(policy: dict) -> None:
    for year, data in policy["years"].items():
        from_periods = sorted(
            d.isoformat()
            for p in data["periods"]
            for d in _days(date.fromisoformat(p["first"]), date.fromisoformat(p["last"]))
        )
        makeups = sorted(m for p in data["periods"] for m in p["makeup_workdays"])
        assert data["holidays"] == from_periods, year
        assert data["makeup_workdays"] == makeups, year


# --- day by day against both public packages ----------------------------------------------------


def test_every_day_of_2024_to_2026_agrees_with_chinesecalendar_and_holidays(cal: WorkingCalendar) -> None:
    pkg = holidays_pkg.country_holidays("CN", years=[2024, 2025, 2026])
    disagreements = [
        day
        for day in _days(date(2024, 1, 1), date(2026, 12, 31))
        if not (cal.is_working_day(day) == chinese_calendar.is_workday(day) == pkg.is_working_day(day))
    ]
    assert disagreements == []


# --- due dates worked out by hand from the notices ---------------------------------------------

# 国办发明电〔2024〕12号 春节：1月28日（周二）至2月4日（周二）放假调休，1月26日（周日）、2月8日（周六）上班。
SPRING_FESTIVAL_2025 = [
    (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Fri → the make-up Sunday counts
    (date(2025, 1, 24), 3, date(2025, 2, 5)),  # 26 Sun, 27 Mon, then the 8-day break, 5 Feb
    (date(2025, 1, 27), 1, date(2025, 2, 5)),
    (date(2025, 1, 27), 4, date(2025, 2, 8)),  # 5, 6, 7 Feb and the make-up Saturday
    (date(2025, 1, 27), 5, date(2025, 2, 10)),  # Sunday 9 Feb is an ordinary day off
    (date(2025, 1, 29), 0, date(2025, 2, 5)),  # accepted during the break: first day back
    (date(2025, 1, 26), 0, date(2025, 1, 26)),  # a make-up Sunday is a working day
]

# 国办发明电〔2024〕12号 国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，9月28日（周日）、10月11日（周六）上班。
NATIONAL_DAY_2025 = [
    (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Sat 27 off, Sun 28 worked
    (date(2025, 9, 26), 3, date(2025, 9, 30)),
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 9, 30), 3, date(2025, 10, 11)),  # 9, 10 Oct and the make-up Saturday
    (date(2025, 9, 30), 5, date(2025, 10, 14)),  # Sunday 12 Oct off
    (date(2025, 10, 4), 0, date(2025, 10, 9)),
]

# 国办发明电〔2025〕7号 春节：2月15日（周日）至23日（周一）放假调休，2月14日（周六）、2月28日（周六）上班。
SPRING_FESTIVAL_2026 = [
    (date(2026, 2, 13), 1, date(2026, 2, 14)),  # the make-up Saturday before the break
    (date(2026, 2, 13), 2, date(2026, 2, 24)),
    (date(2026, 2, 13), 5, date(2026, 2, 27)),
    (date(2026, 2, 13), 6, date(2026, 2, 28)),  # the make-up Saturday after the break
    (date(2026, 2, 13), 7, date(2026, 3, 2)),
    (date(2026, 2, 16), 0, date(2026, 2, 24)),
]


@pytest.mark.parametrize(
    ("accepted_on", "limit", "expected"), SPRING_FESTIVAL_2025 + NATIONAL_DAY_2025 + SPRING_FESTIVAL_2026
)
def test_due_date_follows_the_published_schedule(
    cal: WorkingCalendar, accepted_on: date, limit: int, expected: date
) -> None:
    assert cal.due_date(accepted_on, limit) == expected


def test_same_day_limit_on_an_ordinary_working_day_is_that_day(cal: WorkingCalendar) -> None:
    assert cal.due_date(date(2025, 3, 12), 0) == date(2025, 3, 12)
    assert cal.due_date(date(2025, 3, 15), 0) == date(2025, 3, 17)  # Saturday → Monday


def test_statutory_ceiling_of_30_working_days_across_spring_festival_2025(cal: WorkingCalendar) -> None:
    # Counted by hand: 21-24 Jan (4), 26-27 Jan (6), 5-8 Feb (10), then five full weeks to Fri 7 Mar.
    assert cal.due_date(date(2025, 1, 20), 30) == date(2025, 3, 7)


def test_a_limit_above_30_working_days_is_refused_naming_the_regulation(cal: WorkingCalendar) -> None:
    with pytest.raises(RuleViolation) as info:
        cal.due_date(date(2025, 3, 3), 31)
    assert "31个工作日超过法定上限30个工作日" in info.value.message
    assert "不动产登记暂行条例第二十条" in str(info.value)


def test_a_negative_limit_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValidationError, match="不能为负数"):
        cal.due_date(date(2025, 3, 3), -1)


# --- refusing unconfirmed years -----------------------------------------------------------------


def test_a_due_date_running_into_2027_is_refused_with_the_year_named(cal: WorkingCalendar) -> None:
    # Mon 28 Dec 2026 + 5 working days needs January 2027, whose 调休 is not yet published.
    with pytest.raises(RuleViolation) as info:
        cal.due_date(date(2026, 12, 28), 5)
    message = info.value.message
    assert "2027年的节假日安排尚未确认，不能计算办结时限" in message
    assert "节假日维护" in message
    assert "2026年12月28日受理" in message
    assert info.value.record == "2027-01-01"


def test_the_last_days_of_2026_still_compute_when_2027_is_not_needed(cal: WorkingCalendar) -> None:
    assert cal.due_date(date(2026, 12, 28), 3) == date(2026, 12, 31)
    assert cal.due_date(date(2026, 12, 31), 0) == date(2026, 12, 31)


@pytest.mark.parametrize("day", [date(2027, 3, 1), date(2023, 12, 29)])
def test_is_working_day_refuses_years_outside_the_confirmed_ones(cal: WorkingCalendar, day: date) -> None:
    with pytest.raises(RuleViolation, match=f"{day.year}年的节假日安排尚未确认"):
        cal.is_working_day(day)


def test_overrides_alone_do_not_unlock_2027(policy: dict) -> None:
    cal = WorkingCalendar.from_policy(policy, overrides={date(2027, 1, 1): False})
    with pytest.raises(RuleViolation, match="2027年"):
        cal.due_date(date(2026, 12, 30), 2)


def test_admin_confirmed_2027_uses_its_overrides(policy: dict) -> None:
    cal = policy_working_calendar(overrides={date(2027, 1, 1): False}, extra_confirmed_years=[2027])
    # Thu 31 Dec 2026 is day 1; the admin's 元旦 holiday and the weekend push day 2 to Mon 4 Jan.
    assert cal.due_date(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert cal.admin_confirmed_years == {2027}
    without_override = WorkingCalendar.from_policy(policy, extra_confirmed_years=[2027])
    assert without_override.due_date(date(2026, 12, 30), 2) == date(2027, 1, 1)


# --- overrides ---------------------------------------------------------------------------------


def test_overrides_win_over_the_schedule_and_the_weekday_rule(policy: dict) -> None:
    overrides = {
        date(2025, 2, 8): False,  # a make-up Saturday the centre decides not to open
        date(2025, 10, 8): True,  # a holiday the centre decides to open
        date(2025, 3, 10): False,  # an ordinary Monday closed (e.g. system migration)
        date(2025, 3, 15): True,  # an ordinary Saturday opened
    }
    cal = WorkingCalendar.from_policy(policy, overrides=overrides)
    for day, working in overrides.items():
        assert cal.is_working_day(day) is working
    assert cal.due_date(date(2025, 2, 7), 1) == date(2025, 2, 10)
    assert cal.due_date(date(2025, 9, 30), 1) == date(2025, 10, 8)


# --- time actually taken -----------------------------------------------------------------------


def test_working_days_between_counts_days_after_start_up_to_end(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2025, 1, 27), date(2025, 2, 10)) == 5
    assert cal.working_days_between(date(2025, 3, 12), date(2025, 3, 12)) == 0
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_working_days_between_undoes_due_date_for_every_day_of_2025(cal: WorkingCalendar) -> None:
    for accepted_on in _days(date(2025, 1, 1), date(2025, 12, 31)):
        for limit in (1, 5, 30):
            assert cal.working_days_between(accepted_on, cal.due_date(accepted_on, limit)) == limit


def test_working_days_between_refuses_reversed_dates_and_unconfirmed_years(cal: WorkingCalendar) -> None:
    with pytest.raises(ValidationError, match="早于开始日期"):
        cal.working_days_between(date(2025, 3, 12), date(2025, 3, 11))
    with pytest.raises(RuleViolation, match="2027年"):
        cal.working_days_between(date(2026, 12, 28), date(2027, 1, 8))


# --- broken schedule data ----------------------------------------------------------------------


def test_a_day_listed_as_both_holiday_and_make_up_day_is_refused() -> None:
    with pytest.raises(ValidationError, match="既列为放假日又列为调休上班日"):
        WorkingCalendar([2025], {date(2025, 2, 8)}, {date(2025, 2, 8)})


def test_a_make_up_day_on_a_weekday_is_refused() -> None:
    with pytest.raises(ValidationError, match="不是周六或周日"):
        WorkingCalendar([2025], set(), {date(2025, 2, 7)})


def test_a_policy_date_filed_under_the_wrong_year_is_refused() -> None:
    data = {
        "confirmed_years": [2025],
        "years": {"2025": {"holidays": ["2026-01-01"], "makeup_workdays": []}},
    }
    with pytest.raises(ValidationError, match="2025年的holidays中出现了2026年1月1日"):
        WorkingCalendar.from_policy(data)
