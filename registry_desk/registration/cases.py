"""The one-window case workflow: acceptance, payment hand-off, review and recording (登簿), 缮证 and 发证.

Every use case runs in one write transaction: it locks the unit row first (PostgreSQL `FOR UPDATE`;
on SQLite the transaction already holds the write lock from BEGIN IMMEDIATE), re-reads what it needs
and checks the rules of domain/rules.py on a fresh snapshot, so a refusal or a crash saves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from registry_desk.domain.clock import CHINA_TZ, as_utc, local_date  # noqa: F401 - also imported from here
from registry_desk.domain.calendar import WorkingCalendar
from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_MISSING,
    MATERIAL_STATUS_LABELS,
    MATERIAL_STATUSES,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    BusinessType,
    CaseRow,
    CaseSummary,
    IntakeRequest,
    MaterialLine,
    MortgageTerms,
    PartyInput,
    RecordResult,
    check_closing_reason,
    check_transition,
    due_state,
    request_from_case,
)
from registry_desk.domain.certificates import looks_like_certificate_number, parse_certificate_number
from registry_desk.domain.codes import (
    CaseStatus,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.errors import ConflictError, NotFound, RuleViolation, ValidationError
from registry_desk.domain.rules import (
    RulePlan,
    UnitSnapshot,
    check_request,
    lapse_warnings,
    notice_lapse_date,
)
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.kernel.calendar_policy import policy_working_calendar
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kernel.numbers import allocate_case_number, allocate_certificate_number
from registry_desk.registration.handover import record_handover
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver, Prepared
from registry_desk.storage.register.unit_state import read_unit_state
from registry_desk.storage.tables import (
    AuditEvent,
    CalendarConfirmedYear,
    CalendarOverride,
    Case,
    CaseMaterial,
    CaseParty,
    Certificate,
    Party,
    Right,
    RightParty,
    Unit,
    User,
)

# The counter works on Beijing time whatever the server's zone; China has no daylight saving.

READERS = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)
RULE_MATERIALS = "不动产登记暂行条例第十七条 申请材料齐全"


def _d(value: date | None) -> str:
    return "" if value is None else f"{value:%Y年%m月%d日}"


# ---------------------------------------------------------------------------------------------------------
# Loading and locking
# ---------------------------------------------------------------------------------------------------------


def working_calendar(session: Session) -> WorkingCalendar:
    """The shipped schedule with the admin's overrides and confirmed years from the database."""
    overrides = {row.day: row.is_working for row in session.scalars(select(CalendarOverride))}
    years = [row.year for row in session.scalars(select(CalendarConfirmedYear))]
    return policy_working_calendar(overrides, years)


def _lock_unit(session: Session, unit_id: int) -> Unit:
    unit = session.execute(
        select(Unit).where(Unit.id == unit_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    return unit


def _unit_id_for_number(session: Session, unit_number: str) -> int:
    number = unit_number.strip().upper()
    unit_id = session.scalar(select(Unit.id).where(Unit.unit_number == number))
    if unit_id is None:
        raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
    return unit_id


def locked_case(session: Session, case_number: str) -> Case:
    """The case, re-read after its unit is locked, so every writer of a unit takes the locks in one order."""
    number = case_number.strip()
    unit_id = session.scalar(select(Case.unit_id).where(Case.case_number == number))
    if unit_id is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
    _lock_unit(session, unit_id)
    return session.execute(
        select(Case)
        .where(Case.case_number == number)
        .options(
            selectinload(Case.parties).selectinload(CaseParty.party),
            selectinload(Case.materials),
            selectinload(Case.unit),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


_OPEN_STATUSES = tuple(s for s in CaseStatus if s.is_open)


def unit_snapshot(
    session: Session | Driver, unit: Any, policy: BusinessTypePolicy | None = None
) -> UnitSnapshot:
    """The unit as the rules see it: current rights with parties and certificates, unfinished cases.
    `unit` is anything with the unit's `id` (a `Unit`, or a locked unit row); the register's one reader of
    a unit's current state (storage/register/unit_state.py) reads the rest."""
    policy = policy or load_policy()
    snapshot = read_unit_state(session, unit_id=unit.id, business_label=policy.label)
    assert snapshot is not None, "the unit is locked, so it exists"
    return snapshot


def _find_or_create_party(session: Session, p: PartyInput | Any, now: datetime) -> Party:
    """One Party row per (证件种类, 证件号码): reused when known, never duplicated.

    A new person is inserted with ON CONFLICT DO NOTHING: two windows registering the same newcomer at
    the same moment then share one row instead of one of them failing on the unique constraint.
    """
    wanted = (Party.id_type == p.id_type, Party.id_number == p.id_number)
    party = session.scalar(select(Party).where(*wanted))
    if party is None:
        values = {
            "kind": PartyKind.LEGAL if p.id_type is IdType.USCC else PartyKind.NATURAL,
            "name": p.name,
            "id_type": p.id_type,
            "id_number": p.id_number,
            "address": getattr(p, "address", None),
            "phone": getattr(p, "phone", None),
            "legal_rep_name": getattr(p, "legal_rep_name", None),
            "created_at": now,
        }
        dialect = session.get_bind().dialect.name
        insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert_(Party).values(**values).on_conflict_do_nothing(index_elements=["id_type", "id_number"])
        )
        party = session.scalars(select(Party).where(*wanted)).one()
        if party.name == p.name:
            return party
    if party.name != p.name:
        raise ValidationError(
            f"{p.id_type.label}号码 {p.id_number} 在登记系统中的姓名/名称为“{party.name}”，与填写的“{p.name}”不符，"
            "请核对证件；如确已更名，请先办理更名",
            rule="申请人身份核验",
            record=p.id_number,
        )
    for attr in ("address", "phone", "legal_rep_name"):
        value = getattr(p, attr, None)
        if value:
            setattr(party, attr, value)  # contact details the applicant gives today are the ones to use
    return party


def _case_party_inputs(parties: Iterable[CaseParty] | Iterable[_CasePartyRow]) -> tuple[PartyInput, ...]:
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
    return _case_party_inputs(case.parties)


RULE_VERSION = "并发修改（乐观版本校验）"


_LAST_CHANGE = Prepared(
    select(AuditEvent.actor, AuditEvent.occurred_at)
    .join(Case, Case.id == AuditEvent.case_id)
    .where(Case.case_number == bindparam("number"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)
_USER_NAME = Prepared(select(User.display_name).where(User.username == bindparam("username")))


def _last_change(source: Session | Driver, case_number: str) -> tuple[str, datetime | None]:
    """Who changed the case last and when, from the audit trail (the user's name where the account is known)."""
    row = _LAST_CHANGE.first(source, number=case_number)
    if row is None:
        return "其他窗口", None
    actor, occurred_at = row
    name = _USER_NAME.first(source, username=actor)
    return (name[0] if name and name[0] else actor), occurred_at


def conflict_error(session: Session | Driver, case_number: str) -> ConflictError:
    """The refusal a window gets for acting on a version of the case someone else has since changed."""
    who, when = _last_change(session, case_number)
    moment = f"{as_utc(when).astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}" if when is not None else "刚才"
    return ConflictError(
        f"业务 {case_number} 已被 {who} 于 {moment} 修改，请刷新后重试；本次操作未保存",
        rule=RULE_VERSION,
        record=case_number,
    )


def _check_version(session: Session | Driver, case: Case | _CaseRow, expected_version: int | None) -> None:
    """Refuses a write made against an older version of the case than the one now stored."""
    if expected_version is not None and case.version != expected_version:
        raise conflict_error(session, case.case_number)


def _bump(case: Case) -> None:
    """Makes the case's row part of the write even when only its materials or certificates changed, so the
    version moves on and a window still showing the old state is refused."""
    flag_modified(case, "form")


def commit_case(uow: Any, record: str) -> None:
    try:
        uow.commit()
    except StaleDataError as error:
        uow.rollback()
        raise conflict_error(uow.session, record) from error


def case_version(db: Database, actor: Actor, case_number: str) -> int:
    """The case's current version: a window reads it before showing the case and passes it back as
    `expected_version`, so its action is refused if someone else changed the case meanwhile."""
    # Two checks, not one list: a list naming the kiosk is kiosk-only work to `require`, which would shut
    # the administrator's window out of every case it opens.
    if actor.role is not Role.KIOSK:
        actor.require(*READERS, operation="查看业务")
    number = case_number.strip()
    with db.lookup() as conn:
        version = conn.execute(select(Case.version).where(Case.case_number == number)).scalar_one_or_none()
    if version is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
    return int(version)


# ---------------------------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------------------------


def case_summary(session: Session, case: Case, business: BusinessType | None) -> CaseSummary:
    specs = {m.code: m for m in business.materials} if business else {}
    numbers = tuple(
        session.scalars(
            select(Certificate.number).where(Certificate.case_id == case.id).order_by(Certificate.id)
        )
    )
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


def _issues_certificate(policy: BusinessTypePolicy, key: str) -> bool:
    try:
        return policy.get(key).certificate_kind is not None
    except NotFound:
        return True  # a type no longer in the policy: its status reads as stored


def _business_of(policy: BusinessTypePolicy, case: Case | _CaseRow) -> BusinessType:
    return policy.get(case.business_type)


# ---------------------------------------------------------------------------------------------------------
# Acceptance (受理)
# ---------------------------------------------------------------------------------------------------------


def _material_rows(business: BusinessType, request: IntakeRequest, now: datetime) -> list[CaseMaterial]:
    notice_kind = request.notice.kind if request.notice else None
    applicable = [
        m for m in business.materials if m.applies(has_agent=request.has_agent, notice_kind=notice_kind)
    ]
    codes = {m.code for m in applicable}
    unknown = sorted(set(request.materials) - codes)
    if unknown:
        names = "、".join(f"{m.code}（{m.name}）" for m in applicable)
        raise ValidationError(
            f"{business.label}不需要材料“{'、'.join(unknown)}”，本业务的材料为：{names}",
            rule=RULE_MATERIALS,
            record=request.unit_number,
        )
    rows = []
    for position, spec in enumerate(applicable):
        status = request.materials.get(spec.code, MATERIAL_MISSING)
        if status not in MATERIAL_STATUSES:
            raise ValidationError(
                f"材料“{spec.name}”的状态“{status}”无效", rule=RULE_MATERIALS, record=spec.code
            )
        if (status == "ecert" and not spec.ecert_ok) or (status == "sealed" and not spec.sealed_ok):
            raise ValidationError(
                f"材料“{spec.name}”不能以{MATERIAL_STATUS_LABELS[status]}代替纸质件",
                rule=RULE_MATERIALS,
                record=spec.code,
            )
        rows.append(
            CaseMaterial(
                code=spec.code,
                name=spec.name,
                required=spec.required,
                status=status,
                received_at=None if status == MATERIAL_MISSING else now,
                position=position,
            )
        )
    return rows


def accept_case(
    db: Database,
    actor: Actor,
    request: IntakeRequest,
    *,
    now: datetime | None = None,
    policy: BusinessTypePolicy | None = None,
    also_audit: tuple[str, Mapping[str, Any]] | None = None,
) -> CaseSummary:
    """受理: checks every rule, computes the due date, numbers the case and saves it with its parties and
    materials — all or nothing. Charged cases wait in 待缴费, free ones go straight to 审核.

    `also_audit` (action, details) is one more audit event of the new case written in the same
    transaction: the prefill's sources (prefill.accept_prefilled) are saved with the case or not at all."""
    actor.require(Role.CLERK, operation="受理登记申请")
    now = as_utc(now or utc_now())
    today = local_date(now)
    policy = policy or load_policy()
    business = policy.get(request.business_type)
    with db.unit_of_work() as uow:
        s = uow.session
        unit = _lock_unit(s, _unit_id_for_number(s, request.unit_number))
        checked, _plan = check_request(business, unit_snapshot(s, unit, policy), request)
        materials = _material_rows(business, checked, now)
        due = working_calendar(s).due_date(today, business.time_limit_days)
        case = Case(
            case_number=allocate_case_number(s, today),
            business_type=business.key,
            registration_type=int(business.registration_type),
            right_type=int(business.right_type),
            unit_id=unit.id,
            status=CaseStatus.ACCEPTED,
            accepted_at=now,
            accepted_by=actor.user_id,
            time_limit_days=business.time_limit_days,
            due_date=due,
            form=checked.terms_form(),
            demo=checked.demo,
            payment_required=business.charged,
        )
        mode = checked.co_ownership
        if business.key in (TRANSFER, ADVANCE_NOTICE) and mode is None:
            holders = checked.with_role(PartyRole.RIGHT_HOLDER)
            mode = CoOwnership.SOLE if len(holders) == 1 else None
        for position, p in enumerate(checked.parties):
            party = _find_or_create_party(s, p, now)
            agent = _find_or_create_party(s, p.agent, now) if p.agent is not None else None
            case.parties.append(
                CaseParty(
                    party_id=party.id,
                    party=party,
                    role=p.role,
                    share=p.share,
                    co_ownership=mode if p.role is PartyRole.RIGHT_HOLDER else None,
                    wants_own_certificate=p.wants_own_certificate,
                    agent_party_id=agent.id if agent else None,
                    position=position,
                )
            )
        case.materials.extend(materials)
        s.add(case)
        s.flush()
        target = CaseStatus.AWAITING_PAYMENT if business.charged else CaseStatus.IN_REVIEW
        check_transition(case.case_number, case.status, target)
        case.status = target
        missing = [m.name for m in materials if m.required and m.status == MATERIAL_MISSING]
        audit.append(
            s,
            actor,
            "case.accepted",
            case_id=case.id,
            unit_id=unit.id,
            record=case.case_number,
            after={
                "business_type": business.key,
                "status": target.value,
                "due_date": due.isoformat(),
                "time_limit_days": business.time_limit_days,
                "parties": [[p.role.value, p.name, p.id_number] for p in checked.parties],
                "missing_materials": missing,
            },
            at=now,
        )
        if also_audit is not None:
            action, details = also_audit
            audit.append(
                s,
                actor,
                action,
                case_id=case.id,
                unit_id=unit.id,
                record=case.case_number,
                after=dict(details),
                at=now,
            )
        summary = case_summary(s, case, business)
        commit_case(uow, case.case_number)
    return summary


# ---------------------------------------------------------------------------------------------------------
# Status moves before recording
# ---------------------------------------------------------------------------------------------------------


def mark_paid_in(
    session: Session, actor: Actor, case: Case, *, now: datetime, detail: Mapping[str, Any] | None = None
) -> None:
    """待缴费 → 审核 inside the caller's transaction: settlement calls it when the case's last order is
    settled (税费同缴), the cash override below when a cashier took the money by hand. `detail` joins the
    audit event (the totals, or why the override was used)."""
    check_transition(case.case_number, case.status, CaseStatus.IN_REVIEW)
    if case.status is not CaseStatus.AWAITING_PAYMENT:
        raise RuleViolation(
            f"业务 {case.case_number} 当前状态为“{case.status.label}”，不是待缴费，不能确认缴费",
            rule="业务办理流程（受理→缴费→审核→登簿→缮证→发证）",
            record=case.case_number,
        )
    case.status = CaseStatus.IN_REVIEW
    audit.append(
        session,
        actor,
        "case.paid",
        case_id=case.id,
        unit_id=case.unit_id,
        record=case.case_number,
        before={"status": CaseStatus.AWAITING_PAYMENT.value},
        after={"status": CaseStatus.IN_REVIEW.value, **(detail or {})},
        at=now,
    )


def confirm_payment(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """现金缴款人工确认: the cashier's audited override for money taken by hand (the channel was down, or
    the applicant paid in cash). The normal way is 税费同缴: settlement moves the case when its orders are
    paid. The case's open orders are voided in the same transaction (the cash replaces them);
    `payment_flow.cash_payment`, which the window uses, closes them at the channel first so their QR codes
    can no longer be paid. Called without that, a channel order stays payable until it expires (30 minutes):
    a payment that slips through lands on a voided order, which settlement sends to 待人工核查 and
    reconciliation reports, to be refunded. An order under review (a disputed payment) refuses the override.
    """
    from registry_desk.payments.orders import OPEN, REVIEW, STATUS_LABELS, VOIDED
    from registry_desk.payments.tables import PaymentOrder

    actor.require(Role.CASHIER, operation="确认缴费")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        _check_version(s, case, expected_version)
        disputed = s.execute(
            select(PaymentOrder.order_no, PaymentOrder.status).where(
                PaymentOrder.case_id == case.id, PaymentOrder.status == REVIEW
            )
        ).first()
        if disputed is not None:
            raise RuleViolation(
                f"业务 {case.case_number} 的缴款单 {disputed[0]}（{STATUS_LABELS.get(disputed[1], disputed[1])}）"
                "有一笔待核查的渠道支付，须先核查处理，不能以现金确认缴费",
                rule="税费同缴：有待核查支付的业务不得人工确认缴费",
                record=disputed[0],
            )
        voided = []
        for order in s.execute(
            select(PaymentOrder)
            .where(PaymentOrder.case_id == case.id, PaymentOrder.status == OPEN)
            .with_for_update()
        ).scalars():
            order.status = VOIDED
            order.live_key = None
            order.voided_at = now
            order.void_reason = "现金缴款，缴款单作废"
            voided.append(order.order_no)
        mark_paid_in(
            s,
            actor,
            case,
            now=now,
            detail={"method": "cash", "note": "现金缴款，收费员人工确认", "voided_orders": voided},
        )
        summary = case_summary(s, case, _business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def receive_material(
    db: Database,
    actor: Actor,
    case_number: str,
    code: str,
    status: str = "paper",
    *,
    ecert_id: str | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """补正材料: marks a material received (paper, or a verified e-certificate / sealed PDF)."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="补正申请材料")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        _check_version(s, case, expected_version)
        if not case.status.is_open or case.status in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            raise RuleViolation(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，不能再补正材料",
                rule=RULE_MATERIALS,
                record=case.case_number,
            )
        business = _business_of(policy, case)
        spec = next((m for m in business.materials if m.code == code), None)
        material = next((m for m in case.materials if m.code == code), None)
        if spec is None or material is None:
            raise NotFound(
                f"业务 {case.case_number} 没有代码为“{code}”的材料", rule=RULE_MATERIALS, record=code
            )
        if status not in MATERIAL_STATUSES or status == MATERIAL_MISSING:
            raise ValidationError(f"材料状态“{status}”无效", rule=RULE_MATERIALS, record=code)
        if (status == "ecert" and not spec.ecert_ok) or (status == "sealed" and not spec.sealed_ok):
            raise ValidationError(
                f"材料“{spec.name}”不能以{MATERIAL_STATUS_LABELS[status]}代替纸质件",
                rule=RULE_MATERIALS,
                record=code,
            )
        before = material.status
        material.status = status
        material.received_at = now
        material.ecert_id = ecert_id
        _bump(case)
        audit.append(
            s,
            actor,
            "case.material_received",
            case_id=case.id,
            unit_id=case.unit_id,
            record=f"{case.case_number}:{code}",
            before={"status": before},
            after={"status": status, "ecert_id": ecert_id},
            at=now,
        )
        summary = case_summary(s, case, business)
        commit_case(uow, case.case_number)
    return summary


def _close(
    db: Database,
    actor: Actor,
    case_number: str,
    target: CaseStatus,
    reason: str,
    now: datetime | None,
    expected_version: int | None = None,
) -> CaseSummary:
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        _check_version(s, case, expected_version)
        check_transition(case.case_number, case.status, target)
        text = check_closing_reason(case.case_number, target, reason)
        before = case.status
        case.status = target
        case.closed_reason = text
        case.completed_at = now
        audit.append(
            s,
            actor,
            f"case.{target.value}",
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"status": before.value},
            after={"status": target.value, "reason": text},
            at=now,
        )
        summary = case_summary(s, case, _business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def not_accept_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """不予受理, with the reason told to the applicant in writing."""
    actor.require(Role.CLERK, operation="不予受理")
    return _close(db, actor, case_number, CaseStatus.NOT_ACCEPTED, reason, now, expected_version)


def withdraw_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """撤回 at the applicants' request, before recording."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="撤回申请")
    return _close(db, actor, case_number, CaseStatus.WITHDRAWN, reason, now, expected_version)


def refuse_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """驳回 (不予登记) by the registrar after review."""
    actor.require(Role.REGISTRAR, operation="驳回登记申请")
    return _close(db, actor, case_number, CaseStatus.REFUSED, reason, now, expected_version)


# ---------------------------------------------------------------------------------------------------------
# Certificate fields (REFERENCE §4)
# ---------------------------------------------------------------------------------------------------------


def _area(value: Any) -> str:
    return f"{value:.2f}㎡"


def _joined(*parts: str | None, sep: str = "/") -> str:
    return sep.join(p for p in parts if p)


def _share_text(share: Fraction | None) -> str:
    return "" if share is None else f"{share.numerator}/{share.denominator}"


def co_ownership_text(mode: CoOwnership | None, holders: Iterable[tuple[str, Fraction | None]]) -> str:
    mode = mode or CoOwnership.SOLE
    if mode is CoOwnership.BY_SHARES:
        return "按份共有，" + "，".join(f"{name}占{_share_text(share)}" for name, share in holders)
    return mode.label


def _floor_text(floor: str | None) -> str:
    if not floor:
        return ""
    return f"第{floor}层" if floor.isdigit() else floor


def right_certificate_fields(
    unit: Unit, right: Right, holders: list[tuple[str, Fraction | None]], notes: list[str]
) -> dict[str, str]:
    """The 不动产权证书's printed fields, keyed exactly as the form names them."""
    land = ""
    if unit.land_area_shared is not None:
        land = f"共用宗地面积{_area(unit.land_area_shared)}"
    elif unit.land_area_exclusive is not None:
        land = f"独用宗地面积{_area(unit.land_area_exclusive)}"
    other = [f"房屋结构:{unit.structure}" if unit.structure else ""]
    if unit.exclusive_area is not None or unit.shared_area is not None:
        other.append(
            _joined(
                f"专有建筑面积:{_area(unit.exclusive_area)}" if unit.exclusive_area is not None else "",
                f"分摊建筑面积:{_area(unit.shared_area)}" if unit.shared_area is not None else "",
                sep="，",
            )
        )
    other.append(
        _joined(
            f"房屋总层数:{unit.total_floors}层" if unit.total_floors else "",
            f"所在层数:{_floor_text(unit.floor)}" if unit.floor else "",
            sep="，",
        )
    )
    return {
        "权利人": "、".join(name for name, _ in holders),
        "共有情况": co_ownership_text(right.co_ownership, holders),
        "坐落": unit.location,
        "不动产单元号": unit.unit_number,
        "权利类型": RightType.OWNERSHIP.label,
        "权利性质": right.right_nature or _joined(unit.land_right_nature, unit.house_nature),
        "用途": _joined(unit.land_use, unit.planned_use),
        "面积": _joined(land, f"房屋建筑面积{_area(unit.building_area)}"),
        "使用期限": (
            f"{_d(unit.land_term_start)}起{_d(unit.land_term_end)}止"
            if unit.land_term_start and unit.land_term_end
            else (f"{_d(unit.land_term_end)}止" if unit.land_term_end else "")
        ),
        "权利其他状况": " ".join(p for p in other if p),
        "附记": "\n".join(n for n in notes if n),
    }


def mortgage_lines(terms: MortgageTerms, rank: int | None, debtors: list[str]) -> list[str]:
    """What a 证明's 其他 holds for a mortgage: 抵押方式, 债权数额, 债务履行期限 (and rank, debtor)."""
    period = "债权确定期间" if terms.mode is MortgageMode.MAXIMUM else "债务履行期限"
    lines = [
        f"抵押方式：{terms.mode.label}",
        f"{terms.amount_label}：{terms.amount}元",
        f"{period}：{_d(terms.debt_start)}起{_d(terms.debt_end)}止",
    ]
    if rank is not None:
        lines.append(f"抵押顺位：第{rank}顺位")
    if debtors:
        lines.append(f"债务人：{'、'.join(debtors)}")
    if terms.guarantee_scope:
        lines.append(f"担保范围：{terms.guarantee_scope}")
    if terms.no_transfer:
        lines.append("约定禁止转让：是")
    return lines


def registration_proof_fields(
    unit: Unit, matter: str, holders: list[str], obligors: list[str], other: list[str], notes: list[str]
) -> dict[str, str]:
    """The 不动产登记证明's printed fields, keyed exactly as the form names them."""
    return {
        "证明权利或事项": matter,
        "权利人(申请人)": "、".join(holders),
        "义务人": "、".join(obligors),
        "坐落": unit.location,
        "不动产单元号": unit.unit_number,
        "其他": "\n".join(other),
        "附记": "\n".join(n for n in notes if n),
    }


# ---------------------------------------------------------------------------------------------------------
# Recording (登簿)
# ---------------------------------------------------------------------------------------------------------


# Recording runs a dozen small statements under the unit lock. Each is compiled once and run on the driver
# cursor of the unit of work's transaction (storage/driver_sql.py); the rows go through the columns' own
# types, so the register reads exactly as if the ORM had written it.
_cases = Case.__table__
_units = Unit.__table__
_rights = Right.__table__
_certificates = Certificate.__table__
_CASE_UNIT = Prepared(select(Case.unit_id).where(Case.case_number == bindparam("number")))
_LOCK_UNIT_ROW = Prepared(select(*_units.columns).where(_units.c.id == bindparam("unit")).with_for_update())
_UNIT_KEYS = tuple(c.key for c in _units.columns)
_LOCK_CASE_ROW = Prepared(
    # The case, one row per party (none: one row with the party columns empty), and whether a required
    # material is still missing. PostgreSQL locks the case row (FOR UPDATE OF cases: not the outer side).
    select(
        Case.id,
        Case.case_number,
        Case.business_type,
        Case.status,
        Case.form,
        Case.version,
        Case.payment_required,
        Case.unit_id,
        exists()
        .where(
            CaseMaterial.case_id == Case.id,
            CaseMaterial.required == true(),
            CaseMaterial.status == MATERIAL_MISSING,
        )
        .label("missing"),
        CaseParty.role,
        CaseParty.share,
        CaseParty.co_ownership,
        CaseParty.wants_own_certificate,
        Party.id,
        Party.name,
        Party.id_type,
        Party.id_number,
    )
    .select_from(Case)
    .outerjoin(CaseParty, CaseParty.case_id == Case.id)
    .outerjoin(Party, Party.id == CaseParty.party_id)
    .where(Case.case_number == bindparam("number"))
    .order_by(CaseParty.position, CaseParty.id)
    .with_for_update(of=_cases)
)
_MISSING_MATERIALS = Prepared(
    select(CaseMaterial.name)
    .where(
        CaseMaterial.case_id == bindparam("case"),
        CaseMaterial.required == true(),
        CaseMaterial.status == MATERIAL_MISSING,
    )
    .order_by(CaseMaterial.position, CaseMaterial.id)
)
_RIGHT_KEYS = tuple(c.key for c in _rights.columns if c.key != "id")
_INSERT_RIGHT = Prepared(insert(_rights).returning(_rights.c.id), keys=_RIGHT_KEYS)
_INSERT_RIGHT_PARTY = Prepared(
    insert(RightParty.__table__), keys=("right_id", "party_id", "role", "share", "position")
)
_CERTIFICATE_KEYS = tuple(c.key for c in _certificates.columns if c.key != "id")
_INSERT_CERTIFICATE = Prepared(insert(_certificates), keys=_CERTIFICATE_KEYS)
_RIGHT_NATURE = Prepared(select(Right.right_nature).where(Right.id == bindparam("right")))
_END_RIGHT = Prepared(
    update(_rights).where(_rights.c.id == bindparam("right"), _rights.c.status == RightStatus.CURRENT),
    keys=("status", "ended_at", "ended_by_case_id", "end_reason"),
)
_CANCEL_CERTIFICATES = Prepared(
    update(_certificates)
    .where(
        _certificates.c.right_id == bindparam("right"), _certificates.c.status == CertificateStatus.CURRENT
    )
    .returning(_certificates.c.id, _certificates.c.number),
    keys=("status", "cancelled_at", "cancelled_by_case_id"),
)
_MARK_RECORDED = Prepared(
    # The optimistic version check the ORM's version counter made: the row must still be the one read.
    update(_cases)
    .where(_cases.c.id == bindparam("case"), _cases.c.version == bindparam("seen_version"))
    .values(version=_cases.c.version + 1),
    keys=("status", "recorded_at", "recorded_by", "completed_at"),
)
_BUMP_UNIT = Prepared(
    update(_units)
    .where(_units.c.id == bindparam("unit"))
    .values(version=func.coalesce(_units.c.version, 1) + 1)
)


@dataclass(frozen=True)
class _PartyRow:
    id: int
    name: str
    id_type: IdType
    id_number: str


@dataclass(frozen=True)
class _CasePartyRow:
    role: PartyRole
    share: Fraction | None
    co_ownership: CoOwnership | None
    wants_own_certificate: bool
    party: _PartyRow


@dataclass(frozen=True)
class _CaseRow:
    id: int
    case_number: str
    business_type: str
    status: CaseStatus
    form: dict[str, Any]
    version: int
    payment_required: bool
    unit_id: int
    parties: tuple[_CasePartyRow, ...]


class _UnitRow:
    """The locked unit's columns, by the names `Unit` has (the certificate field builders read them)."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.__dict__.update(zip(_UNIT_KEYS, values, strict=True))


@dataclass
class _NewRight:
    """A right just inserted: what the certificate field builders read of it."""

    id: int
    co_ownership: CoOwnership | None
    right_nature: str | None


def _locked_case_row(sql: Driver, case_number: str) -> tuple[_CaseRow, _UnitRow, bool]:
    """The case (and whether a required material is missing) and its unit, read under the unit's lock.

    PostgreSQL: the unit row is locked first, then the case is read FOR UPDATE (the lock order every writer
    of a unit keeps). SQLite: the transaction took the database's write lock at BEGIN IMMEDIATE, before
    anything was read, so the case is read first and tells which unit to read.
    """
    number = case_number.strip()
    if sql.name == "sqlite":
        rows = _LOCK_CASE_ROW.rows(sql, number=number)
        if not rows:
            raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
        unit = _UnitRow(_LOCK_UNIT_ROW.rows(sql, unit=rows[0][7])[0])
    else:
        head = _CASE_UNIT.first(sql, number=number)
        if head is None:
            raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
        unit = _UnitRow(_LOCK_UNIT_ROW.rows(sql, unit=head[0])[0])
        rows = _LOCK_CASE_ROW.rows(sql, number=number)
    case_id, number, business_type, status, form, version, paid, unit_id, missing = rows[0][:9]
    parties = tuple(
        _CasePartyRow(role, share, co_ownership, bool(own), _PartyRow(pid, name, id_type, id_number))
        for role, share, co_ownership, own, pid, name, id_type, id_number in (row[9:] for row in rows)
        if role is not None
    )
    case = _CaseRow(case_id, number, business_type, status, form or {}, version, bool(paid), unit_id, parties)
    return case, unit, bool(missing)


@dataclass
class _Recording:
    """What one recording changes, collected for the result and the audit event."""

    session: Driver
    case: _CaseRow
    unit: _UnitRow
    now: datetime
    ended: list[int]
    cancelled: list[str]
    issued: list[str]
    pending_parties: list[dict[str, Any]] = field(default_factory=list)

    def end_right(self, right_id: int, reason: str) -> None:
        touched = _END_RIGHT.execute(
            self.session,
            right=right_id,
            status=RightStatus.HISTORICAL,
            ended_at=self.now,
            ended_by_case_id=self.case.id,
            end_reason=reason[:128],
        )
        assert touched == 1, f"right {right_id} is not current"
        self.ended.append(right_id)
        cancelled = _CANCEL_CERTIFICATES.rows(
            self.session,
            right=right_id,
            status=CertificateStatus.CANCELLED,
            cancelled_at=self.now,
            cancelled_by_case_id=self.case.id,
        )
        self.cancelled.extend(number for _id, number in sorted(cancelled))

    def new_right(self, right_type: RightType, **columns: Any) -> _NewRight:
        values = dict.fromkeys(_RIGHT_KEYS)
        values.update(
            unit_id=self.unit.id,
            right_type=right_type,
            status=RightStatus.CURRENT,
            created_by_case_id=self.case.id,
            registered_at=self.now,
            version=1,
        )
        values.update(columns)
        right_id = _INSERT_RIGHT.rows(self.session, **values)[0][0]
        return _NewRight(right_id, values["co_ownership"], values["right_nature"])

    def add_party(
        self, right: _NewRight, party: _PartyRow, role: PartyRole, share: Fraction | None, position: int
    ) -> None:
        self.pending_parties.append(
            {"right_id": right.id, "party_id": party.id, "role": role, "share": share, "position": position}
        )

    def flush(self) -> None:
        """Writes the parties added so far, in one statement."""
        _INSERT_RIGHT_PARTY.execute_many(self.session, self.pending_parties)
        self.pending_parties = []

    def issue(
        self, right: _NewRight, kind: CertificateKind, holder: _PartyRow, fields: dict[str, str]
    ) -> str:
        year = local_date(self.now).year
        number, seq = allocate_certificate_number(self.session, kind, year)
        values = dict.fromkeys(_CERTIFICATE_KEYS)
        values.update(
            number=number,
            kind=kind,
            year=year,
            seq=seq,
            status=CertificateStatus.CURRENT,
            unit_id=self.unit.id,
            right_id=right.id,
            case_id=self.case.id,
            holder_party_id=holder.id,
            issued_at=self.now,
            fields=fields,
        )
        _INSERT_CERTIFICATE.execute(self.session, **values)
        self.issued.append(number)
        return number


def _parties_in(case: _CaseRow, role: PartyRole) -> list[_CasePartyRow]:
    return [cp for cp in case.parties if cp.role is role]


def _case_note(case: _CaseRow, request: IntakeRequest) -> list[str]:
    return [f"业务号：{case.case_number}", request.note.strip()]


def _record_transfer(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    assert plan.ownership_id is not None
    nature = _RIGHT_NATURE.first(rec.session, right=plan.ownership_id)
    assert nature is not None
    before = len(rec.cancelled)
    rec.end_right(plan.ownership_id, f"转移登记（业务号{case.case_number}）")
    old_numbers = rec.cancelled[before:]
    for notice in plan.fulfilled_notices:
        rec.end_right(notice.id, f"预告登记已实现：办理转移登记（业务号{case.case_number}）")
    buyers = _parties_in(case, PartyRole.RIGHT_HOLDER)
    mode = buyers[0].co_ownership or CoOwnership.SOLE
    new = rec.new_right(
        RightType.OWNERSHIP,
        co_ownership=mode,
        price=request.price,
        right_nature=nature[0],
        notes=request.note or None,
    )
    for position, cp in enumerate(buyers):
        rec.add_party(
            new,
            cp.party,
            PartyRole.RIGHT_HOLDER,
            cp.share if mode is CoOwnership.BY_SHARES else None,
            position,
        )
    rec.flush()
    notes = _case_note(case, request)
    if old_numbers:
        notes.append(f"原不动产权证书号：{'、'.join(old_numbers)}")
    for m in plan.following_mortgages:
        notes.append(
            f"该不动产设有抵押权（{m.reference}，第{m.rank or 1}顺位，抵押权人{'、'.join(p.name for p in m.holders)}），"
            "依民法典第四百零六条抵押权不受转让影响"
        )
    holders = [(cp.party.name, cp.share if mode is CoOwnership.BY_SHARES else None) for cp in buyers]
    own = [cp for cp in buyers if cp.wants_own_certificate]
    shared = [cp for cp in buyers if not cp.wants_own_certificate]
    groups = [[cp] for cp in own] + ([shared] if shared else [])
    for group in groups:
        extra = [f"持证人：{'、'.join(cp.party.name for cp in group)}"] if len(groups) > 1 else []
        fields = right_certificate_fields(rec.unit, new, holders, notes + extra)
        rec.issue(new, CertificateKind.RIGHT_CERTIFICATE, group[0].party, fields)
    return new


def _record_mortgage(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    terms = request.mortgage
    assert terms is not None
    notes = _case_note(case, request)
    if plan.converted_notice is not None:
        n = plan.converted_notice
        rec.end_right(n.id, f"预告登记转为抵押权首次登记（业务号{case.case_number}）")
        notes.append(f"由{n.label}（{n.reference}）转为抵押权首次登记")
    new = rec.new_right(
        RightType.MORTGAGE,
        mortgage_mode=terms.mode,
        secured_amount=terms.amount,
        debt_start=terms.debt_start,
        debt_end=terms.debt_end,
        guarantee_scope=terms.guarantee_scope or None,
        rank=plan.rank,
        no_transfer=terms.no_transfer,
        mortgaged_area=terms.mortgaged_area if terms.mortgaged_area is not None else rec.unit.building_area,
        assessed_value=terms.assessed_value,
        notes=request.note or None,
    )
    banks = _parties_in(case, PartyRole.RIGHT_HOLDER)
    mortgagors = _parties_in(case, PartyRole.OBLIGOR)
    debtors = _parties_in(case, PartyRole.DEBTOR)
    position = 0
    for role, group in (
        (PartyRole.RIGHT_HOLDER, banks),
        (PartyRole.OBLIGOR, mortgagors),
        (PartyRole.DEBTOR, debtors),
    ):
        for cp in group:
            rec.add_party(new, cp.party, role, None, position)
            position += 1
    rec.flush()
    fields = registration_proof_fields(
        rec.unit,
        RightType.MORTGAGE.label,
        [cp.party.name for cp in banks],
        [cp.party.name for cp in mortgagors],
        mortgage_lines(terms, plan.rank, [cp.party.name for cp in debtors]),
        notes,
    )
    rec.issue(new, CertificateKind.REGISTRATION_PROOF, banks[0].party, fields)
    return new


def _record_cancellation(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> None:
    terms = request.cancellation
    assert terms is not None and plan.target_right is not None
    reason = f"抵押权注销：{terms.reason.label}"
    if terms.note.strip():
        reason += f"（{terms.note.strip()}）"
    rec.end_right(plan.target_right.id, f"{reason}，业务号{rec.case.case_number}")


def _record_notice(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    terms = request.notice
    assert terms is not None
    holders = _parties_in(case, PartyRole.RIGHT_HOLDER)
    obligors = _parties_in(case, PartyRole.OBLIGOR)
    lapses = notice_lapse_date(terms.registrable_on) if terms.registrable_on else None
    columns: dict[str, Any] = {
        "notice_kind": terms.kind,
        "notice_registrable_on": terms.registrable_on,
        "notice_lapses_on": lapses,
        "notes": request.note or None,
    }
    mode: CoOwnership | None = None
    if terms.kind.is_mortgage:
        m = terms.mortgage
        assert m is not None
        columns.update(
            mortgage_mode=m.mode,
            secured_amount=m.amount,
            debt_start=m.debt_start,
            debt_end=m.debt_end,
            guarantee_scope=m.guarantee_scope or None,
            no_transfer=m.no_transfer,
        )
        other = mortgage_lines(m, None, [])
    else:
        mode = holders[0].co_ownership or CoOwnership.SOLE
        columns.update(co_ownership=mode, price=terms.price)
        other = [f"规划用途：{rec.unit.planned_use}", f"建筑面积：{_area(rec.unit.building_area)}"]
        if terms.price is not None:
            other.append(f"交易价格：{terms.price}元")
        if len(holders) > 1:
            other.append(
                f"共有情况：{co_ownership_text(mode, [(cp.party.name, cp.share) for cp in holders])}"
            )
    new = rec.new_right(RightType.ADVANCE_NOTICE, **columns)
    position = 0
    for role, group in ((PartyRole.RIGHT_HOLDER, holders), (PartyRole.OBLIGOR, obligors)):
        for cp in group:
            share = cp.share if role is PartyRole.RIGHT_HOLDER and mode is CoOwnership.BY_SHARES else None
            rec.add_party(new, cp.party, role, share, position)
            position += 1
    rec.flush()
    notes = _case_note(case, request)
    if lapses is not None:
        notes.append(
            f"自{_d(terms.registrable_on)}起能够进行不动产登记，{_d(lapses)}前未申请登记的，预告登记失效"
        )
    fields = registration_proof_fields(
        rec.unit,
        terms.kind.label,
        [cp.party.name for cp in holders],
        [cp.party.name for cp in obligors],
        other,
        notes,
    )
    rec.issue(new, CertificateKind.REGISTRATION_PROOF, holders[0].party, fields)
    return new


def _refuse_unpaid(source: Session | Driver, case: Case | _CaseRow) -> None:
    """契税法第十条: no registration while the deed tax (and the case's other charges) are unpaid."""
    from registry_desk.payments.orders import STATUS_LABELS, unsettled_orders

    unpaid = unsettled_orders(source, case.id)
    if not unpaid:
        return
    listed = "、".join(f"{no}（{STATUS_LABELS.get(st, st)}，{amount}元）" for no, st, amount in unpaid)
    raise RuleViolation(
        f"契税未缴清，不得办理登记：业务 {case.case_number} 尚有未缴清入库的缴款单 {listed}",
        rule="契税法第十条 纳税人应在依法办理土地、房屋权属登记手续前申报缴纳契税",
        record=unpaid[0][0],
    )


def record_case(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    now: datetime | None = None,
    policy: BusinessTypePolicy | None = None,
    expected_version: int | None = None,
) -> RecordResult:
    """审核通过并登簿: re-checks every rule on the locked unit, changes the register, numbers and fills the
    certificate or 证明, and writes the audit event — in one transaction."""
    actor.require(Role.REGISTRAR, operation="审核登簿")
    now = as_utc(now or utc_now())
    policy = policy or load_policy()
    # Compiled statements only, on a driver connection's transaction (BEGIN IMMEDIATE on SQLite): no ORM
    # Session, whose bookkeeping cost more than the recording's dozen statements.
    with db.driver_work() as work:
        d = work.driver
        case, unit, missing_materials = _locked_case_row(d, case_number)
        _check_version(d, case, expected_version)
        if case.payment_required and case.status in (CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW):
            # Before the status check: "the deed tax is unpaid" tells the registrar more than "待缴费".
            _refuse_unpaid(d, case)
        check_transition(case.case_number, case.status, CaseStatus.RECORDED)
        business = _business_of(policy, case)
        if missing_materials:
            missing = [name for (name,) in _MISSING_MATERIALS.rows(d, case=case.id)]
            raise RuleViolation(
                f"业务 {case.case_number} 尚缺申请材料：{'、'.join(missing)}，补齐后才能登簿",
                rule=RULE_MATERIALS,
                record=case.case_number,
            )
        request = request_from_case(
            case.business_type, unit.unit_number, _case_party_inputs(case.parties), case.form
        )
        _checked, plan = check_request(
            business, unit_snapshot(d, unit, policy), request, this_case=case.case_number
        )
        rec = _Recording(d, case, unit, now, [], [], [])
        new: _NewRight | None = None
        if business.key == TRANSFER:
            new = _record_transfer(rec, request, plan)
        elif business.key == MORTGAGE_FIRST:
            new = _record_mortgage(rec, request, plan)
        elif business.key == MORTGAGE_CANCEL:
            _record_cancellation(rec, request, plan)
        elif business.key == ADVANCE_NOTICE:
            new = _record_notice(rec, request, plan)
        rec.flush()
        status = CaseStatus.RECORDED
        if business.certificate_kind is None:
            # Nothing to print or hand over: the case is finished with the register entry.
            check_transition(case.case_number, status, CaseStatus.ISSUED)
            status = CaseStatus.ISSUED
        touched = _MARK_RECORDED.execute(
            d,
            case=case.id,
            seen_version=case.version,
            status=status,
            recorded_at=now,
            recorded_by=actor.user_id,
            completed_at=now,
        )
        if touched != 1:
            raise conflict_error(d, case.case_number)
        _BUMP_UNIT.execute(d, unit=unit.id)
        audit.append(
            d,
            actor,
            "case.recorded",
            case_id=case.id,
            unit_id=unit.id,
            record=case.case_number,
            before={"status": CaseStatus.IN_REVIEW.value},
            after={
                "status": status.value,
                "new_right_id": new.id if new else None,
                "ended_right_ids": rec.ended,
                "cancelled_certificates": rec.cancelled,
                "issued_certificates": rec.issued,
                "rank": plan.rank,
            },
            at=now,
        )
        result = RecordResult(
            case_number=case.case_number,
            status=status,
            unit_number=unit.unit_number,
            new_right_id=new.id if new else None,
            ended_right_ids=tuple(rec.ended),
            cancelled_certificates=tuple(rec.cancelled),
            issued_certificates=tuple(rec.issued),
            rank=plan.rank if business.key == MORTGAGE_FIRST else None,
        )
        work.commit()
    return result


# ---------------------------------------------------------------------------------------------------------
# 缮证 and 发证
# ---------------------------------------------------------------------------------------------------------


def mark_certificate_ready(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    paper_serials: Mapping[str, str] | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """缮证: the certificates are printed (on paper blanks whose 印刷序列号 may be given per number)."""
    actor.require(Role.REGISTRAR, Role.CLERK, operation="缮证")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        _check_version(s, case, expected_version)
        check_transition(case.case_number, case.status, CaseStatus.CERTIFICATE_READY)
        certs = s.scalars(select(Certificate).where(Certificate.case_id == case.id)).all()
        serials = dict(paper_serials or {})
        unknown = sorted(set(serials) - {c.number for c in certs})
        if unknown:
            raise ValidationError(
                f"业务 {case.case_number} 没有证号 {'、'.join(unknown)}", rule="缮证", record=case.case_number
            )
        for cert in certs:
            cert.prepared_by = actor.username
            cert.prepared_at = now
            if cert.number in serials:
                cert.paper_serial = serials[cert.number].strip()
        case.status = CaseStatus.CERTIFICATE_READY
        audit.append(
            s,
            actor,
            "case.certificate_ready",
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"status": CaseStatus.RECORDED.value},
            after={"status": case.status.value, "paper_serials": serials},
            at=now,
        )
        summary = case_summary(s, case, _business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def issue_certificate(
    db: Database,
    actor: Actor,
    number: str,
    receiver_name: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """发证: hands the certificate(s) over and records who received them.

    `number` is the case number (every certificate of the case) or one certificate number (分别持证: the
    case is 已发证 once its last certificate is handed over).
    """
    actor.require(Role.CLERK, Role.REGISTRAR, operation="发证")
    now = as_utc(now or utc_now())
    receiver = receiver_name.strip()
    if not receiver:
        raise ValidationError(f"发证须登记领证人姓名（{number}）", rule="发证登记领证人", record=number)
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        text = number.strip()
        only: str | None = None
        if looks_like_certificate_number(text):
            only = str(parse_certificate_number(text))
            case_number = s.scalar(
                select(Case.case_number)
                .join(Certificate, Certificate.case_id == Case.id)
                .where(Certificate.number == only)
            )
            if case_number is None:
                raise NotFound(f"没有证号为 {only} 的证书或证明", rule="发证", record=only)
        else:
            case_number = text
        case = locked_case(s, case_number)
        _check_version(s, case, expected_version)
        if case.status is not CaseStatus.CERTIFICATE_READY:
            check_transition(case.case_number, case.status, CaseStatus.ISSUED)
            raise RuleViolation(
                f"业务 {case.case_number} 尚未缮证（当前“{case.status.label}”），不能发证",
                rule="业务办理流程（受理→缴费→审核→登簿→缮证→发证）",
                record=case.case_number,
            )
        certs = s.scalars(
            select(Certificate).where(Certificate.case_id == case.id).order_by(Certificate.id)
        ).all()
        chosen = [c for c in certs if (only is None or c.number == only) and c.handed_over_at is None]
        if only is not None and not chosen:
            raise RuleViolation(f"证书 {only} 已经发出，不能重复发证", rule="发证", record=only)
        record_handover(s, actor, case, certs, chosen, receiver, now)
        summary = case_summary(s, case, _business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


def get_case(db: Database, actor: Actor, case_number: str) -> CaseSummary:
    actor.require(*READERS, operation="查看业务")
    policy = load_policy()
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = s.execute(
            select(Case)
            .where(Case.case_number == case_number.strip())
            .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.materials))
        ).scalar_one_or_none()
        if case is None:
            raise NotFound(f"没有业务号为 {case_number} 的业务", rule="业务查询", record=case_number)
        return case_summary(s, case, _business_of(policy, case))


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
        query = (
            select(Case)
            .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
            .order_by(Case.accepted_at, Case.id)
        )
        if status is not None:
            query = query.where(Case.status == status)
        if date is not None:
            start = as_utc(datetime.combine(date, time(0), CHINA_TZ))
            query = query.where(Case.accepted_at >= start, Case.accepted_at < start + timedelta(days=1))
        if recent_days is not None:
            since = as_utc(datetime.combine(today - timedelta(days=recent_days), time(0), CHINA_TZ))
            query = query.where(
                or_(Case.status.in_(_OPEN_STATUSES), Case.accepted_at >= since, Case.completed_at >= since)
            )
        cases = s.scalars(query).all()
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
        unit = s.get(Unit, _unit_id_for_number(s, unit_number))
        assert unit is not None
        return lapse_warnings(unit_snapshot(s, unit), today)


def set_notice_registrable_date(
    db: Database, actor: Actor, right_id: int, registrable_on: date, *, now: datetime | None = None
) -> date:
    """Records when the final registration became possible for a 预告登记 (e.g. the developer's first
    registration was completed); returns the lapse date 90 days later."""
    actor.require(Role.REGISTRAR, Role.CLERK, operation="登记预告登记可申请登记日期")
    now = as_utc(now or utc_now())
    with db.unit_of_work() as uow:
        s = uow.session
        unit_id = s.scalar(select(Right.unit_id).where(Right.id == right_id))
        if unit_id is None:
            raise NotFound(f"没有权利记录 {right_id}", rule="预告登记", record=str(right_id))
        _lock_unit(s, unit_id)
        right = s.get(Right, right_id, populate_existing=True)
        assert right is not None
        if right.right_type is not RightType.ADVANCE_NOTICE or right.status is not RightStatus.CURRENT:
            raise RuleViolation(
                f"权利记录 {right_id} 不是现势的预告登记，不能登记失效起算日",
                rule="预告登记",
                record=str(right_id),
            )
        before = {
            "registrable_on": right.notice_registrable_on.isoformat() if right.notice_registrable_on else None
        }
        right.notice_registrable_on = registrable_on
        right.notice_lapses_on = notice_lapse_date(registrable_on)
        audit.append(
            s,
            actor,
            "notice.registrable_date",
            unit_id=unit_id,
            record=str(right_id),
            before=before,
            after={
                "registrable_on": registrable_on.isoformat(),
                "lapses_on": right.notice_lapses_on.isoformat(),
            },
            at=now,
        )
        lapses = right.notice_lapses_on
        uow.commit()
    return lapses
