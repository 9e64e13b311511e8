"""Reading cases: one case's summary, the case list with due states, the unit's warnings, and the working
calendar due dates are counted on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from registry_desk.domain.calendar import WorkingCalendar
from registry_desk.domain.cases import BusinessType, CaseRow, CaseSummary, MaterialLine, PartyInput, due_state
from registry_desk.domain.clock import CHINA_TZ, as_utc, local_date
from registry_desk.domain.codes import CaseStatus, PartyRole, Role
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.domain.rules import lapse_warnings
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.kernel.calendar_policy import policy_working_calendar
from registry_desk.kernel.context import Actor
from registry_desk.registration.locking import unit_id_for_number
from registry_desk.registration.unit_state import unit_snapshot
from registry_desk.storage.database import Database
from registry_desk.storage.register import cases as case_rows
from registry_desk.storage.register.recording import CaseColumns, CasePartyColumns
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, CaseParty

READERS = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)


def working_calendar(session: Session) -> WorkingCalendar:
    """The shipped schedule with the admin's overrides and confirmed years from the database."""
    overrides = case_rows.calendar_overrides(session)
    years = case_rows.confirmed_calendar_years(session)
    return policy_working_calendar(overrides, years)


def party_inputs(parties: Iterable[CaseParty] | Iterable[CasePartyColumns]) -> tuple[PartyInput, ...]:
    """The case's parties as the rules read them (agents are not parties to the right)."""
    return tuple(
        PartyInput(
            role=cp.role,
            name=cp.party.name,
            id_type=cp.party.id_type,
            id_number=cp.party.id_number,
            share=cp.share,
            wants_own_certificate=cp.wants_own_certificate,
        )
        for cp in parties
        if cp.role is not PartyRole.AGENT
    )


def case_party_inputs(case: Case) -> tuple[PartyInput, ...]:
    return party_inputs(case.parties)


def business_of(policy: BusinessTypePolicy, case: Case | CaseColumns) -> BusinessType:
    return policy.get(case.business_type)


def _issues_certificate(policy: BusinessTypePolicy, key: str) -> bool:
    try:
        return policy.get(key).certificate_kind is not None
    except NotFound:
        return True  # a type no longer in the policy: its status reads as stored


def case_summary(session: Session, case: Case, business: BusinessType | None) -> CaseSummary:
    specs = {m.code: m for m in business.materials} if business else {}
    numbers = case_rows.certificate_numbers_of_case(session, case.id)
    label = business.label if business else case.business_type
    return CaseSummary(
        issues_certificate=business is None or business.certificate_kind is not None,
        case_number=case.case_number,
        business_type=case.business_type,
        business_label=label,
        unit_number=case.unit.unit_number,
        location=case.unit.location,
        status=case.status,
        accepted_at=as_utc(case.accepted_at),
        time_limit_days=case.time_limit_days,
        due_date=case.due_date,
        payment_required=case.payment_required,
        parties=tuple(
            (business.role_label(cp.role) if business else cp.role.label, cp.party.name, cp.party.id_number)
            for cp in case.parties
        ),
        materials=tuple(
            MaterialLine(
                m.code,
                m.name,
                m.required,
                m.status,
                specs[m.code].ecert_ok if m.code in specs else False,
                specs[m.code].sealed_ok if m.code in specs else False,
            )
            for m in case.materials
        ),
        certificate_numbers=numbers,
        closed_reason=case.closed_reason,
    )


def get_case(db: Database, actor: Actor, case_number: str) -> CaseSummary:
    actor.require(*READERS, operation="查看业务")
    policy = load_policy()
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = case_rows.case_with_parties(s, case_number.strip())
        if case is None:
            raise NotFound(f"没有业务号为 {case_number} 的业务", rule="业务查询", record=case_number)
        return case_summary(s, case, business_of(policy, case))


def list_cases(
    db: Database,
    actor: Actor,
    *,
    today: date,
    status: CaseStatus | None = None,
    date: date | None = None,
    recent_days: int | None = None,
) -> list[CaseRow]:
    """The case list with each case's due state against `today` and, once finished, the working days taken.

    With `recent_days`, only the cases still open and those accepted or finished within that many days
    before `today`: what a window works with, however many years of cases the register holds."""
    actor.require(*READERS, operation="查看业务列表")
    policy = load_policy()
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        start = as_utc(datetime.combine(date, time(0), CHINA_TZ)) if date is not None else None
        since: datetime | None = None
        if recent_days is not None:
            since = as_utc(datetime.combine(today - timedelta(days=recent_days), time(0), CHINA_TZ))
        cases = case_rows.list_cases(
            s,
            status=status,
            accepted_from=start,
            accepted_before=start + timedelta(days=1) if start is not None else None,
            open_or_since=since,
        )
        calendar = working_calendar(s)
        rows = []
        for case in cases:
            accepted_on = local_date(case.accepted_at)
            completed_on = local_date(case.completed_at) if case.completed_at else None
            taken: int | None = None
            if completed_on is not None:
                try:
                    taken = calendar.working_days_between(accepted_on, completed_on)
                except RuleViolation:
                    taken = None  # a year without a confirmed schedule: shown blank, not guessed
            rows.append(
                CaseRow(
                    case_number=case.case_number,
                    business_type=case.business_type,
                    business_label=policy.label(case.business_type),
                    unit_number=case.unit.unit_number,
                    location=case.unit.location,
                    status=case.status,
                    accepted_on=accepted_on,
                    time_limit_days=case.time_limit_days,
                    due_date=case.due_date,
                    due_state=due_state(case.due_date, completed_on, today),
                    applicants="、".join(cp.party.name for cp in case.parties),
                    working_days_taken=taken,
                    finished_late=None if completed_on is None else completed_on > case.due_date,
                    issues_certificate=_issues_certificate(policy, case.business_type),
                )
            )
        return rows


def unit_warnings(db: Database, actor: Actor, unit_number: str, *, today: date) -> tuple[str, ...]:
    """Warnings for the unit's register page: 预告登记失效提示 for notices past their 90 days."""
    actor.require(*READERS, operation="查询登记簿")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        unit = case_rows.unit_by_id(s, unit_id_for_number(s, unit_number))
        assert unit is not None
        return lapse_warnings(unit_snapshot(s, unit), today)
