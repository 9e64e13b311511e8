"""Demo cases in every state, run through the real case services on the demo register (a living counter)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from registry_desk.config import Settings
from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_PAPER,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    CaseSummary,
    IntakeRequest,
    NoticeTerms,
    PartyInput,
)
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    IdType,
    PartyRole,
    RightType,
    Role,
)
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.payments.channel import PaymentChannel
from registry_desk.payments.receipts import produce_missing_receipt_documents
from registry_desk.payments.settlement import poll_open_orders
from registry_desk.registration import certificates, intake, payment_status, queries, recording
from registry_desk.domain import clock
from registry_desk.payments import service as payment_flow
from registry_desk.registration import prefill
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.demo import seeding

# The demo staff; user_id None marks them as the data set's own, not anyone's account.
DEMO_CLERK = Actor(None, "demo-clerk", "演示受理员", Role.CLERK, window="1")
DEMO_REGISTRAR = Actor(None, "demo-registrar", "演示登簿员", Role.REGISTRAR)
DEMO_CASHIER = Actor(None, "demo-cashier", "演示收费员", Role.CASHIER)

# Counter opening time at which the first demo case of a day is accepted (Beijing time).
_OPENING = time(8, 40)


def _resident_id(birth: str, serial: str) -> str:
    """A fictitious 沙坡头区 resident ID with a correct check character (GB 11643)."""
    body = f"640502{birth}{serial}"
    return body + resident_id_check_char(body)


# Fictitious buyers for the resales; none of them is in the demo register, so the intake meets them new.
BUYERS = (
    ("周晓燕", _resident_id("19910314", "562")),
    ("杨志强", _resident_id("19870622", "391")),
    ("冯丽娟", _resident_id("19930105", "724")),
    ("贺建军", _resident_id("19800918", "417")),
    ("田玥", _resident_id("19960227", "648")),
    ("纳文博", _resident_id("19890711", "235")),
    ("苏雅琴", _resident_id("19920430", "886")),
)


@dataclass(frozen=True)
class DemoCase:
    case_number: str
    business_type: str
    status: CaseStatus
    unit_number: str


@dataclass(frozen=True)
class DemoCasesSummary:
    cases: tuple[DemoCase, ...]

    def by_status(self, status: CaseStatus) -> tuple[DemoCase, ...]:
        return tuple(c for c in self.cases if c.status is status)

    def describe(self) -> str:
        counts: dict[str, int] = {}
        for c in self.cases:
            counts[c.status.label] = counts.get(c.status.label, 0) + 1
        return "演示业务：" + "、".join(f"{label}{n}件" for label, n in counts.items())


# ---------------------------------------------------------------------------------------------------------
# Picking demo units that fit each business type
# ---------------------------------------------------------------------------------------------------------


@dataclass
class DemoUnits:
    plain: list[str]  # ownership only, owned by people (resales)
    developer: list[str]  # ownership only, owned by a company (a new flat to pre-sell)
    presale: list[str]  # developer owns; a buyer's 买卖预告 and the bank's 抵押权预告 stand
    mortgaged: list[str]  # exactly one mortgage, nothing else restricting


def pick_demo_units(db: Database) -> DemoUnits:
    """Units without an unfinished case, sorted into what each business type needs (also used by tests)."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        rows = seeding.current_rights_of_units(s)
        company_owned = seeding.company_owned_units(s)
        busy = seeding.units_of_cases_in(s, [st for st in CaseStatus if st.is_open])
    rights: dict[int, list[tuple[RightType, AdvanceNoticeKind | None]]] = {}
    numbers: dict[int, str] = {}
    for unit_id, number, right_type, kind in rows:
        rights.setdefault(unit_id, []).append((right_type, kind))
        numbers[unit_id] = number
    units = DemoUnits([], [], [], [])
    for unit_id, held in rights.items():
        if unit_id in busy:
            continue
        types = sorted((int(t), int(k) if k is not None else 0) for t, k in held)
        number = numbers[unit_id]
        if types == [(int(RightType.OWNERSHIP), 0)]:
            (units.developer if unit_id in company_owned else units.plain).append(number)
        elif types == [(int(RightType.OWNERSHIP), 0), (int(RightType.MORTGAGE), 0)]:
            units.mortgaged.append(number)
        elif types == [
            (int(RightType.OWNERSHIP), 0),
            (int(RightType.ADVANCE_NOTICE), int(AdvanceNoticeKind.PRESALE_PURCHASE)),
            (int(RightType.ADVANCE_NOTICE), int(AdvanceNoticeKind.PRESALE_MORTGAGE)),
        ]:
            units.presale.append(number)
    return units


# ---------------------------------------------------------------------------------------------------------
# The clock
# ---------------------------------------------------------------------------------------------------------


class _Clock:
    """Hands out increasing moments on a given counter day, a few minutes apart, so the list reads naturally."""

    def __init__(self, db: Database, today: date) -> None:
        self.today = today
        with db.unit_of_work(write=False) as uow:
            self.calendar = queries.working_calendar(uow.session)
        self._next: dict[date, datetime] = {}

    def working_days_before(self, n: int) -> date:
        day = self.today
        counted = 0
        while counted < n:
            day -= timedelta(days=1)
            if self.calendar.is_working_day(day):
                counted += 1
        return day

    def at(self, day: date, minutes: int = 6) -> datetime:
        moment = self._next.get(day, datetime.combine(day, _OPENING, clock.CHINA_TZ))
        self._next[day] = moment + timedelta(minutes=minutes)
        return moment


# ---------------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------------


def _all_paper(business_type: str, request: IntakeRequest, *, missing: tuple[str, ...] = ()) -> IntakeRequest:
    business = load_policy().get(business_type)
    kind = request.notice.kind if request.notice else None
    materials = {
        m.code: MATERIAL_PAPER
        for m in business.materials
        if m.required and m.code not in missing and m.applies(has_agent=request.has_agent, notice_kind=kind)
    }
    return replace(request, materials=materials)


def _buyer(index: int) -> PartyInput:
    name, number = BUYERS[index % len(BUYERS)]
    return PartyInput(PartyRole.RIGHT_HOLDER, name, IdType.RESIDENT_ID, number, phone=f"1399550{index:04d}")


def _resale(db: Database, unit: str, buyer: int, price: str, missing: tuple[str, ...] = ()) -> IntakeRequest:
    filled = prefill.prefill(db, DEMO_CLERK, TRANSFER, unit)
    request = replace(
        filled.request, parties=(*filled.request.parties, _buyer(buyer)), price=Money.yuan(price)
    )
    return _all_paper(TRANSFER, request, missing=missing)


def _presale_transfer(db: Database, unit: str, price: str) -> IntakeRequest:
    # The buyers come from their own 买卖预告登记; the transfer realises it.
    filled = prefill.prefill(db, DEMO_CLERK, TRANSFER, unit)
    request = filled.request
    if request.price is None:
        request = replace(request, price=Money.yuan(price))
    return _all_paper(TRANSFER, request)


def _first_mortgage(db: Database, unit: str) -> IntakeRequest:
    filled = prefill.prefill(db, DEMO_CLERK, MORTGAGE_FIRST, unit)
    return _all_paper(MORTGAGE_FIRST, filled.request)


def _cancellation(db: Database, unit: str) -> IntakeRequest:
    filled = prefill.prefill(db, DEMO_CLERK, MORTGAGE_CANCEL, unit)
    return _all_paper(MORTGAGE_CANCEL, filled.request)


def _presale_notice(db: Database, unit: str, buyer: int, price: str) -> IntakeRequest:
    # A developer's flat sold off-plan: the developer is the obligor, the buyer the notice holder.
    sellers = prefill.prefill(db, DEMO_CLERK, TRANSFER, unit).request.with_role(PartyRole.OBLIGOR)
    request = IntakeRequest(
        ADVANCE_NOTICE,
        unit,
        (*sellers, _buyer(buyer)),
        notice=NoticeTerms(AdvanceNoticeKind.PRESALE_PURCHASE, price=Money.yuan(price)),
    )
    return _all_paper(ADVANCE_NOTICE, request)


# ---------------------------------------------------------------------------------------------------------
# Moving cases along
# ---------------------------------------------------------------------------------------------------------


class _Runner:
    def __init__(self, db: Database, clock: _Clock, channel: PaymentChannel | None = None) -> None:
        self.db = db
        self.clock = clock
        self.channel = channel
        self.made: list[DemoCase] = []

    def accept(self, request: IntakeRequest, day: date) -> CaseSummary:
        if self.channel is None:
            return intake.accept_case(self.db, DEMO_CLERK, request, now=self.clock.at(day))
        return payment_flow.accept_and_bill(
            self.db, DEMO_CLERK, request, self.channel, now=self.clock.at(day)
        ).summary

    def pay(self, number: str, day: date) -> CaseStatus:
        """Each side scans its QR a few minutes after acceptance; the poll settles and moves the case. Without
        a channel (tests without a data dir) the cashier's cash override stands in."""
        if self.channel is None:
            return payment_status.confirm_payment(
                self.db, DEMO_CASHIER, number, now=self.clock.at(day)
            ).status
        for side in payment_flow.case_payment(self.db, number).sides:
            if side.order.payload and side.order.status == "open":
                payment_flow.simulate_scan(self.channel, side.order.payload, now=self.clock.at(day, 2))
        # Settlement only: the receipts' sealed PDFs are made once all cases are in (seed_demo_cases).
        poll_open_orders(self.db, self.channel, self.clock.at(day, 1))
        return queries.get_case(self.db, DEMO_CLERK, number).status

    def to(self, summary: CaseSummary, target: CaseStatus, day: date, *, receiver: str = "") -> CaseStatus:
        """Drives an accepted case to `target` the way the staff would, on `day`; returns where it ended."""
        number = summary.case_number
        if target is CaseStatus.WITHDRAWN:
            reason = "申请人双方协商解除买卖合同，申请撤回"
            return payment_flow.close_case(
                self.db, DEMO_CLERK, self.channel, number, target, reason, now=self.clock.at(day)
            ).status
        if target is CaseStatus.NOT_ACCEPTED:
            reason = "申请人未能提供不动产权证书原件，经一次性告知后逾期未补正"
            return payment_flow.close_case(
                self.db, DEMO_CLERK, self.channel, number, target, reason, now=self.clock.at(day)
            ).status
        status = summary.status
        if status is CaseStatus.AWAITING_PAYMENT:
            status = self.pay(number, day)
        if target is CaseStatus.REFUSED:
            # Paid, then refused: its money waits for the cashier's refund (a demo of 税费退付).
            reason = "经审核，买卖合同载明的房屋坐落与登记簿记载不一致，不予登记"
            return payment_flow.close_case(
                self.db, DEMO_REGISTRAR, self.channel, number, target, reason, now=self.clock.at(day)
            ).status
        if target is CaseStatus.IN_REVIEW:
            return status
        recorded = recording.record_case(self.db, DEMO_REGISTRAR, number, now=self.clock.at(day))
        status = recorded.status
        if status is CaseStatus.ISSUED or target is CaseStatus.RECORDED:
            return status  # a cancellation issues nothing: finished with the register entry
        status = certificates.mark_certificate_ready(
            self.db, DEMO_REGISTRAR, number, now=self.clock.at(day)
        ).status
        if target is CaseStatus.ISSUED:
            status = certificates.issue_certificate(
                self.db, DEMO_CLERK, number, receiver, now=self.clock.at(day)
            ).status
        return status

    def case(
        self,
        request: IntakeRequest,
        accepted_on: date,
        target: CaseStatus,
        done_on: date | None = None,
        *,
        receiver: str = "",
    ) -> str:
        summary = self.accept(request, accepted_on)
        final = summary.status
        if target is not summary.status:
            final = self.to(summary, target, done_on or accepted_on, receiver=receiver)
        self.made.append(DemoCase(summary.case_number, request.business_type, final, request.unit_number))
        return summary.case_number


def _take(units: list[str], n: int, what: str) -> Iterator[str]:
    if len(units) < n:
        raise LookupError(f"the demo register has {len(units)} {what} units, {n} needed")
    return iter(units[:n])


def seed_demo_cases(
    db: Database, settings: Settings | None = None, *, today: date, channel: PaymentChannel | None = None
) -> DemoCasesSummary:
    """Runs about twenty cases through the services so the case list shows every state on `today`:
    accepted today, 待缴费, 审核中 (one of them overdue, one due today), 已登簿, 已缮证, 已发证, 驳回, 撤回,
    不予受理 — across the four business types. Certificates are numbered by recording; their PDFs are made
    when first printed. Charged cases are paid through the collecting channel (`channel`, or the local
    channel in the settings' data dir): orders at acceptance, simulated scans, settlement — so the cashier
    view opens on a day of collections. With neither, the cash override stands in."""
    if channel is None and settings is not None:
        channel = payment_flow.channel_for(settings)
    units = pick_demo_units(db)
    clock = _Clock(db, today)
    run = _Runner(db, clock, channel)
    plain = _take(units.plain, 7, "plain owned")
    developer = _take(units.developer, 2, "developer-owned")
    presale = _take(units.presale, 2, "presale")
    mortgaged = _take(units.mortgaged, 2, "mortgaged")
    yesterday = clock.working_days_before(1)
    two_back = clock.working_days_before(2)
    six_back = clock.working_days_before(6)

    # Earlier days first, so case numbers run in the order the cases came in.
    run.case(_resale(db, next(plain), 0, "486000"), six_back, CaseStatus.IN_REVIEW)  # 3-day limit: overdue
    presale_flats = list(presale)
    for number in presale_flats:
        request = _presale_transfer(db, number, "613000")
        buyer = request.with_role(PartyRole.RIGHT_HOLDER)[0].name
        run.case(request, two_back, CaseStatus.ISSUED, receiver=buyer)
    # The banks' 抵押权预告 become mortgages once the buyers own the flats (期房按揭).
    run.case(_first_mortgage(db, presale_flats[0]), yesterday, CaseStatus.IN_REVIEW)  # 1-day limit: due today
    run.case(_first_mortgage(db, presale_flats[1]), yesterday, CaseStatus.CERTIFICATE_READY)
    run.case(_cancellation(db, next(mortgaged)), yesterday, CaseStatus.ISSUED)  # finished with 登簿
    run.case(_presale_notice(db, next(developer), 2, "578000"), yesterday, CaseStatus.RECORDED)
    run.case(_resale(db, next(plain), 3, "455000"), yesterday, CaseStatus.REFUSED)
    run.case(_resale(db, next(plain), 4, "520000"), yesterday, CaseStatus.WITHDRAWN)
    missing_certificate = _resale(db, next(plain), 5, "301000", missing=("title_certificate",))
    run.case(missing_certificate, yesterday, CaseStatus.NOT_ACCEPTED)

    # Today at the counter.
    missing_tax = _resale(db, next(plain), 6, "438000", missing=("tax_receipt",))
    run.case(missing_tax, today, CaseStatus.AWAITING_PAYMENT)  # 一次性告知: 完税凭证 follows payment
    run.case(_resale(db, next(plain), 1, "365000"), today, CaseStatus.IN_REVIEW)
    run.case(_cancellation(db, next(mortgaged)), today, CaseStatus.IN_REVIEW)
    run.case(_presale_notice(db, next(developer), 0, "602000"), today, CaseStatus.IN_REVIEW)
    run.case(_resale(db, next(plain), 2, "410000"), today, CaseStatus.RECORDED)
    if settings is not None:
        # The receipts of the day's collections, sealed as a window's poll would make them: a fresh demo
        # register passes `check`, which reports receipts left without their PDF.
        produce_missing_receipt_documents(db, payment_flow.receipt_tools(settings))
    return DemoCasesSummary(tuple(run.made))
