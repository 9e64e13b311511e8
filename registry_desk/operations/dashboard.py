"""The statistics dashboard (统计看板) for a date range: cases per day and type, time-limit compliance, time to
certificate, collections per account, kiosk prints. Plain data for the window, the PDF and the command.

Collections come from the settlement and refund postings (payments/reports.py), never from a separate sum.
Days are Beijing calendar days; a case counts as completed on the day it was recorded (登簿) and on time when
that day is not after its due date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.reports import fee_tax_report
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.domain.clock import CHINA_TZ, as_utc, local_date
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.hall import dashboard as figures
from registry_desk.storage.kiosk.tables import PRINT_DONE, PRINT_FAILED
from registry_desk.storage.session import Session

VIEWERS = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)
MAX_DAYS = 366  # one year at most: a longer range is a report, not a dashboard
RECORDED = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)
ACCOUNT_LABELS = {"treasury": "国库", "fiscal": "财政专户"}


@dataclass(frozen=True)
class TypeStats:
    business_type: str
    label: str
    accepted: int
    completed: int  # recorded (登簿) in the range
    on_time: int  # of `completed`, recorded on or before the due date
    certificates: int  # cases in the range whose certificate was made, for the average below
    average_hours_to_certificate: Decimal | None  # acceptance → certificate ready (缮证, or 登簿 if not yet)

    @property
    def compliance(self) -> Decimal | None:
        """Share of completed cases finished within the promised working days (None when none completed)."""
        if not self.completed:
            return None
        return (Decimal(self.on_time) / Decimal(self.completed)).quantize(Decimal("0.001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OverdueCase:
    case_number: str
    label: str
    location: str
    accepted_on: date
    due_date: date
    status: CaseStatus
    finished_on: date | None  # None: still open past its due date

    @property
    def days_late(self) -> int:
        """Calendar days past the due date (at the end of the range if still open)."""
        return ((self.finished_on or self.due_date) - self.due_date).days


@dataclass(frozen=True)
class CollectionLine:
    account: str  # treasury / fiscal
    account_label: str
    item: str
    settled: Money
    refunded: Money
    count: int

    @property
    def net(self) -> Money:
        return self.settled - self.refunded


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    as_of: date  # the day open cases are judged overdue on (the range end, or today if earlier)
    days: tuple[date, ...]
    types: tuple[TypeStats, ...]
    accepted_per_day: dict[str, tuple[int, ...]]  # business type → count per day, aligned with `days`
    completed_per_day: dict[str, tuple[int, ...]]
    overdue: tuple[OverdueCase, ...]
    collections: tuple[CollectionLine, ...]
    kiosk_printed_per_day: tuple[int, ...]
    kiosk_failed: int

    @property
    def accepted_total(self) -> int:
        return sum(t.accepted for t in self.types)

    @property
    def completed_total(self) -> int:
        return sum(t.completed for t in self.types)

    @property
    def on_time_total(self) -> int:
        return sum(t.on_time for t in self.types)

    @property
    def compliance(self) -> Decimal | None:
        if not self.completed_total:
            return None
        return (Decimal(self.on_time_total) / Decimal(self.completed_total)).quantize(
            Decimal("0.001"), ROUND_HALF_UP
        )

    def account_total(self, account: str) -> Money:
        return sum((c.net for c in self.collections if c.account == account), Money.zero())

    @property
    def kiosk_printed(self) -> int:
        return sum(self.kiosk_printed_per_day)

    def total_per_day(self, which: str) -> tuple[int, ...]:
        series = self.accepted_per_day if which == "accepted" else self.completed_per_day
        return tuple(sum(values[i] for values in series.values()) for i in range(len(self.days)))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    since = as_utc(datetime.combine(start, time(0), CHINA_TZ))
    until = as_utc(datetime.combine(end + timedelta(days=1), time(0), CHINA_TZ))
    return since, until


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError(
            f"统计区间的结束日 {end:%Y-%m-%d} 早于开始日 {start:%Y-%m-%d}",
            rule="统计区间",
            record=f"{start}–{end}",
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(
            f"统计区间 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 超过 {MAX_DAYS} 天，请分段统计",
            rule="统计区间",
            record=f"{start}–{end}",
        )


def build_dashboard(db: Database, actor: Actor, start: date, end: date, *, today: date) -> Dashboard:
    """The dashboard for `start`..`end` inclusive (Beijing days), read in one consistent snapshot."""
    actor.require(*VIEWERS, operation="查看统计看板")
    check_range(start, end)
    as_of = min(end, today)
    policy = load_policy()
    days = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    index = {day: i for i, day in enumerate(days)}
    since, until = _bounds(start, end)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        accepted = _accepted_per_day(s, since, until, index)
        completed, on_time, overdue = _completions(s, policy, since, until, as_of, index)
        hours = _hours_to_certificate(s, since, until)
        collections = _collections(s, start, end)
        printed, failed = _kiosk_prints(s, since, until, index)
    return Dashboard(
        start=start,
        end=end,
        as_of=as_of,
        days=days,
        types=_type_stats(policy, accepted, completed, on_time, hours),
        accepted_per_day={k: tuple(v) for k, v in accepted.items()},
        completed_per_day={k: tuple(v) for k, v in completed.items()},
        overdue=tuple(overdue),
        collections=collections,
        kiosk_printed_per_day=tuple(printed),
        kiosk_failed=failed,
    )


def _accepted_per_day(
    s: Session, since: datetime, until: datetime, index: dict[date, int]
) -> dict[str, list[int]]:
    accepted: dict[str, list[int]] = defaultdict(lambda: [0] * len(index))
    for business_type, accepted_at in figures.accepted_cases(s, since, until):
        accepted[business_type][index[local_date(accepted_at)]] += 1
    return accepted


def _completions(
    s: Session,
    policy: BusinessTypePolicy,
    since: datetime,
    until: datetime,
    as_of: date,
    index: dict[date, int],
) -> tuple[dict[str, list[int]], Counter[str], list[OverdueCase]]:
    """Cases recorded per day and type, how many of them on time, and every case past its due date: recorded
    late in the range, or still open on `as_of`."""
    completed: dict[str, list[int]] = defaultdict(lambda: [0] * len(index))
    on_time: Counter[str] = Counter()
    overdue: list[OverdueCase] = []
    late_unit_ids: dict[str, int] = {}
    for number, business_type, recorded_at, accepted_at, due, status, unit_id in figures.recorded_cases(
        s, since, until, RECORDED
    ):
        recorded_on = local_date(recorded_at)
        completed[business_type][index[recorded_on]] += 1
        if recorded_on <= due:
            on_time[business_type] += 1
        else:
            late_unit_ids[number] = unit_id
            overdue.append(
                OverdueCase(
                    number,
                    policy.label(business_type),
                    "",
                    local_date(accepted_at),
                    due,
                    status,
                    recorded_on,
                )
            )
    # Still running against the limit: open and not yet recorded (登簿 meets the promise; 缮证 and 发证 follow).
    open_statuses = [st for st in CaseStatus if st.is_open and st not in RECORDED]
    for number, business_type, accepted_at, due, status, unit_id in figures.open_cases_due_before(
        s, open_statuses, as_of, until
    ):
        late_unit_ids[number] = unit_id
        overdue.append(
            OverdueCase(number, policy.label(business_type), "", local_date(accepted_at), due, status, None)
        )
    return completed, on_time, _with_locations(s, overdue, late_unit_ids)


def _hours_to_certificate(s: Session, since: datetime, until: datetime) -> dict[str, list[Decimal]]:
    """Acceptance → certificate ready, per case: the first certificate's 缮证 time (登簿 time until then)."""
    hours: dict[str, list[Decimal]] = defaultdict(list)
    for business_type, accepted_at, ready_at in figures.certificate_ready_times(s, since, until):
        seconds = (as_utc(ready_at) - as_utc(accepted_at)).total_seconds()
        hours[business_type].append(Decimal(int(seconds)) / Decimal(3600))
    return hours


def _collections(s: Session, start: date, end: date) -> tuple[CollectionLine, ...]:
    return tuple(
        CollectionLine(
            line.account,
            ACCOUNT_LABELS.get(line.account, line.account),
            line.item,
            line.settled,
            line.refunded,
            line.count,
        )
        for line in fee_tax_report(s, start, end)
    )


def _kiosk_prints(
    s: Session, since: datetime, until: datetime, index: dict[date, int]
) -> tuple[list[int], int]:
    """Prints done per day, and prints that failed, in the range."""
    printed = [0] * len(index)
    failed = 0
    for started_at, outcome in figures.kiosk_prints(s, since, until):
        if outcome == PRINT_DONE:
            printed[index[local_date(started_at)]] += 1
        elif outcome == PRINT_FAILED:
            failed += 1
    return printed, failed


def _type_stats(
    policy: BusinessTypePolicy,
    accepted: dict[str, list[int]],
    completed: dict[str, list[int]],
    on_time: Counter[str],
    hours: dict[str, list[Decimal]],
) -> tuple[TypeStats, ...]:
    seen = set(accepted) | set(completed) | set(hours)
    # The policy's order (the order the intake offers the types), then any retired type still in the data.
    keys = [b.key for b in policy.types if b.key in seen]
    keys += sorted(seen - set(keys))
    types = []
    for key in keys:
        spans = hours.get(key, [])
        average = (
            (sum(spans, Decimal(0)) / len(spans)).quantize(Decimal("0.1"), ROUND_HALF_UP) if spans else None
        )
        types.append(
            TypeStats(
                key,
                policy.label(key),
                sum(accepted.get(key, [])),
                sum(completed.get(key, [])),
                on_time[key],
                len(spans),
                average,
            )
        )
    return tuple(types)


def _with_locations(s: Session, overdue: list[OverdueCase], unit_ids: dict[str, int]) -> list[OverdueCase]:
    if not overdue:
        return overdue
    locations = figures.unit_locations(s, unit_ids.values())
    return [replace(o, location=locations.get(unit_ids[o.case_number], "")) for o in overdue]


def percent(value: Decimal | None) -> str:
    """0.875 → "87.5%"; None → "—" (nothing completed, so no share)."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
