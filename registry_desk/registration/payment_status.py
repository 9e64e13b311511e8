"""A case and its payment (税费同缴): 待缴费 → 审核 when its orders are settled or a cashier took the money by
hand, and no recording while the deed tax is unpaid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from registry_desk.domain.cases import CaseSummary, check_transition
from registry_desk.domain.clock import as_utc
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import RuleViolation
from registry_desk.domain.payment_orders import SETTLED, STATUS_LABELS, VOIDED
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import business_of, case_summary
from registry_desk.registration.versioning import check_version, commit_case
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.ledger import orders as ledger_orders
from registry_desk.storage.register.recording import CaseColumns
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case


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
    actor.require(Role.CASHIER, operation="确认缴费")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        check_version(s, case, expected_version)
        disputed = ledger_orders.disputed_order_of_case(s, case.id)
        if disputed is not None:
            raise RuleViolation(
                f"业务 {case.case_number} 的缴款单 {disputed[0]}（{STATUS_LABELS.get(disputed[1], disputed[1])}）"
                "有一笔待核查的渠道支付，须先核查处理，不能以现金确认缴费",
                rule="税费同缴：有待核查支付的业务不得人工确认缴费",
                record=disputed[0],
            )
        voided = []
        for order in ledger_orders.lock_open_orders_of_case(s, case.id):
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
        summary = case_summary(s, case, business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def refuse_unpaid(source: Session | Driver, case: Case | CaseColumns) -> None:
    """契税法第十条: no registration while the deed tax (and the case's other charges) are unpaid."""
    unpaid = [row for row in ledger_orders.counting_orders_of_case(source, case.id) if row[1] != SETTLED]
    if not unpaid:
        return
    listed = "、".join(f"{no}（{STATUS_LABELS.get(st, st)}，{amount}元）" for no, st, amount in unpaid)
    raise RuleViolation(
        f"契税未缴清，不得办理登记：业务 {case.case_number} 尚有未缴清入库的缴款单 {listed}",
        rule="契税法第十条 纳税人应在依法办理土地、房屋权属登记手续前申报缴纳契税",
        record=unpaid[0][0],
    )
