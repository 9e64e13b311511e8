"""Due dates at acceptance across the 2025 and 2026 holidays (with 调休 working weekends), admin overrides,
and the case list's due states and working days taken."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registry_desk.domain.codes import AdvanceNoticeKind, CaseStatus
from registry_desk.registration import intake, payment_status, queries, recording
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.storage.tables import CalendarConfirmedYear, CalendarOverride
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    BANK_HH,
    BANK_SP,
    CASHIER,
    CLERK,
    LI,
    REGISTRAR,
    WANG,
    ZHANG,
    ZHAO,
    cancellation,
    mortgage,
    notice,
    transfer,
)

# The shared fixtures: the tiny register built once per module and copied for each test.
register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("accepted_on", "kind", "due"),
    [
        # 国办发明电〔2025〕7号: 春节 2月15日至23日放假，2月14日（周六）、2月28日（周六）上班.
        (date(2026, 2, 12), "transfer", date(2026, 2, 24)),  # Fri 13, Sat 14 (调休), Tue 24
        (date(2026, 2, 12), "mortgage_first", date(2026, 2, 13)),
        (date(2026, 2, 13), "mortgage_first", date(2026, 2, 14)),  # the 调休 Saturday counts
        (date(2026, 2, 13), "transfer", date(2026, 2, 25)),
        (date(2026, 2, 12), "mortgage_cancel", date(2026, 2, 12)),  # 0 = same day
        (
            date(2026, 2, 16),
            "mortgage_cancel",
            date(2026, 2, 24),
        ),  # accepted in the holiday: next working day
        (date(2026, 2, 12), "advance_notice", date(2026, 2, 13)),
        # 国办发明电〔2024〕12号: 国庆中秋 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班.
        (date(2025, 9, 30), "transfer", date(2025, 10, 11)),
        (date(2025, 9, 26), "transfer", date(2025, 9, 30)),  # Sat 27 off, Sun 28 (调休), Mon 29, Tue 30
        # New Year across the two schedules: 2026年1月1日至3日放假，1月4日（周日）上班.
        (date(2025, 12, 31), "transfer", date(2026, 1, 6)),
    ],
)
def test_due_date_at_acceptance_follows_the_state_council_schedule(sqlite_register, accepted_on, kind, due):
    sqlite_db, reg = sqlite_register
    requests = {
        "transfer": transfer(reg.plain, [WANG], [ZHAO]),
        "mortgage_first": mortgage(reg.plain, BANK_HH, [WANG]),
        "mortgage_cancel": cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof),
        "advance_notice": notice(reg.plain, AdvanceNoticeKind.OTHER_PURCHASE, [ZHAO], [WANG]),
    }
    summary = intake.accept_case(sqlite_db, CLERK, requests[kind], now=at(accepted_on))
    assert summary.due_date == due
    assert summary.case_number.startswith(accepted_on.strftime("%Y%m%d"))


def test_admin_overrides_and_confirmed_years_from_the_database_are_used(sqlite_register):
    sqlite_db, reg = sqlite_register
    with sqlite_db.unit_of_work() as uow:
        # A local day off (e.g. a sandstorm closure) pushes the due date; 2027 confirmed by the admin.
        uow.session.add(
            CalendarOverride(
                day=date(2026, 2, 24),
                is_working=False,
                note="沙尘暴停止对外办公",
                set_by="admin",
                set_at=at(date(2026, 2, 1)),
            )
        )
        uow.session.add(
            CalendarConfirmedYear(year=2027, confirmed_by="admin", confirmed_at=at(date(2026, 12, 1)))
        )
        uow.commit()
    first = intake.accept_case(
        sqlite_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=at(date(2026, 2, 12))
    )
    assert first.due_date == date(2026, 2, 25)
    second = intake.accept_case(
        sqlite_db, CLERK, mortgage(reg.couple, BANK_HH, [WANG, LI]), now=at(date(2026, 12, 31))
    )
    assert second.due_date == date(
        2027, 1, 1
    )  # weekday rule in the admin-confirmed year (no override for it)


def test_the_counter_day_is_beijing_time_whatever_the_server_clock(sqlite_register):
    sqlite_db, reg = sqlite_register
    late_utc = datetime(2026, 2, 12, 23, 30, tzinfo=UTC)  # 07:30 on Friday the 13th in Zhongwei
    summary = intake.accept_case(sqlite_db, CLERK, mortgage(reg.plain, BANK_HH, [WANG]), now=late_utc)
    assert summary.case_number == "202602130001"
    assert summary.due_date == date(2026, 2, 14)


def test_case_list_due_states_and_working_days_taken(any_register):
    any_db, reg = any_register
    a = intake.accept_case(any_db, CLERK, mortgage(reg.plain, BANK_HH, [WANG]), now=at(date(2026, 2, 12)))
    b = intake.accept_case(
        any_db, CLERK, transfer(reg.mortgaged, [ZHANG], [ZHAO]), now=at(date(2026, 2, 12), 10)
    )
    c = intake.accept_case(
        any_db,
        CLERK,
        cancellation(reg.no_transfer, BANK_SP, "宁(2021)中卫市不动产证明第0000202号"),
        now=at(date(2026, 2, 13)),
    )
    d = intake.accept_case(
        any_db,
        CLERK,
        notice(reg.couple, AdvanceNoticeKind.OTHER_PURCHASE, [ZHANG], [WANG, LI]),
        now=at(date(2026, 2, 24)),
    )
    payment_status.confirm_payment(any_db, CASHIER, a.case_number, now=at(date(2026, 2, 13)))
    recording.record_case(any_db, REGISTRAR, a.case_number, now=at(date(2026, 2, 24), 15))

    rows = {r.case_number: r for r in queries.list_cases(any_db, CLERK, today=date(2026, 2, 24))}
    assert [rows[n.case_number].due_state for n in (a, b, c, d)] == ["done", "due_today", "overdue", "ok"]
    assert rows[a.case_number].working_days_taken == 3  # 13th, the 调休 14th, 24th
    assert rows[a.case_number].finished_late is True
    assert rows[b.case_number].working_days_taken is None
    assert rows[c.case_number].due_state_label == "已超期"
    assert rows[b.case_number].applicants == "张伟、赵敏"

    on_12th = queries.list_cases(any_db, REGISTRAR, today=date(2026, 2, 24), date=date(2026, 2, 12))
    assert [r.case_number for r in on_12th] == [a.case_number, b.case_number]
    in_review = queries.list_cases(any_db, CASHIER, today=date(2026, 2, 24), status=CaseStatus.IN_REVIEW)
    assert [r.case_number for r in in_review] == [c.case_number, d.case_number]
