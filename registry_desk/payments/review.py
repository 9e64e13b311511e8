"""Resolving an order held for review (待人工核查): the channel took an amount other than the order's.

Nothing of such a payment was booked (settlement books only the exact amount), and the order keeps its side
of the case from getting a new one, so the case waits. The cashier returns the payment in full through the
channel and voids the order; the payer then pays a new order of the right amount. As with refunds, the
channel call comes first under a refund number derived from the order number (the channel treats a repeat
as the same refund), and the booking follows in one transaction: a crash between the two is repaired by
running the return again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import DomainError, NotFound, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.channel import CHINA_TZ, PaymentChannel, as_utc
from registry_desk.domain.payment_orders import REVIEW, STATUS_LABELS, VOIDED
from registry_desk.payments.settlement import REVIEW_NOW
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.ledger import review as stored
from registry_desk.storage.ledger.channel import transactions_of_order
from registry_desk.storage.ledger.orders import lock_order
from registry_desk.storage.ledger.tables import PaymentRefund

RETURNED = "returned"  # a channel transaction paid back in full, never booked
RULE_RETURN = "金额不符的支付不入账，全额退回后重新开具缴款单"


def return_no_for(order_no: str) -> str:
    return f"RV{order_no}"


@dataclass(frozen=True)
class ReturnReport:
    order_no: str
    case_number: str
    amount: Money
    refund_no: str
    already: bool  # found returned by an earlier call: nothing more was done


def return_review_payment(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    order_no: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> ReturnReport:
    """Pays back what the channel took for an order under review and voids the order (收费人员 only)."""
    actor.require(Role.CASHIER, operation="退回金额不符的支付")
    order_no = (order_no or "").strip()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("退回支付须写明原因", rule=RULE_RETURN, record=order_no)
    now = as_utc(now or utc_now())
    refund_no = return_no_for(order_no)
    with db.unit_of_work(write=False) as uow:
        row = stored.order_for_return(uow.session, order_no)
        if row is None:
            raise NotFound(f"没有缴款单 {order_no}", rule=RULE_RETURN, record=order_no)
        status, paid, order_channel, case_number = row
        done = stored.refund_id(uow.session, refund_no)
    if done is not None:
        return ReturnReport(order_no, case_number, paid or Money.zero(), refund_no, already=True)
    if status != REVIEW:
        raise RuleViolation(
            f"缴款单 {order_no} 状态为“{STATUS_LABELS.get(status, status)}”，只有待人工核查的缴款单才能退回支付",
            rule=RULE_RETURN,
            record=order_no,
        )
    if order_channel != channel.name:
        raise RuleViolation(
            f"缴款单 {order_no} 由渠道“{order_channel}”收款，不能通过渠道“{channel.name}”退回",
            rule=RULE_RETURN,
            record=order_no,
        )
    assert paid is not None  # an order goes to review only with the amount the channel reported
    try:
        result = channel.refund(order_no, paid, refund_no, f"金额不符退回：{reason}", now)
    except OSError as error:
        raise DomainError(
            f"收款渠道暂不可用（{error}），缴款单 {order_no} 的支付未退回，请稍后重试",
            rule=RULE_RETURN,
            record=order_no,
        ) from error

    with db.unit_of_work() as uow:
        s = uow.session
        case = stored.lock_case_of_order(s, order_no)
        order = lock_order(s, order_no)
        if order.status != REVIEW:  # another cashier's return got here first
            return ReturnReport(order_no, case.case_number, paid, refund_no, already=True)
        when = f"{result.refunded_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
        order.status = VOIDED
        order.live_key = None  # the side may have a new order now
        order.voided_at = now
        order.void_reason = f"金额不符，支付已全额退回（{refund_no}）"[:128]
        order.review_reason = (
            f"{order.review_reason or ''}；{when} 由 {actor.display_name} 全额退回：{reason}"
        )
        s.add(
            PaymentRefund(
                refund_no=refund_no,
                order_id=order.id,
                case_id=case.id,
                amount=result.amount,
                reason=f"金额不符退回：{reason}"[:256],
                channel_refund_id=result.channel_refund_id,
                refunded_at=as_utc(result.refunded_at),
                requested_by=actor.username,
            )
        )
        for txn in transactions_of_order(s, order.id, REVIEW_NOW):
            txn.outcome = RETURNED
            txn.note = f"{txn.note or ''}；已全额退回（{refund_no}）"
        audit.append(
            s,
            actor,
            "payment.returned",
            case_id=case.id,
            unit_id=case.unit_id,
            record=order.order_no,
            after={
                "case_number": case.case_number,
                "order_no": order.order_no,
                "amount": str(result.amount),
                "refund_no": refund_no,
                "channel_refund_id": result.channel_refund_id,
                "reason": reason,
            },
            at=now,
        )
        uow.commit()
        return ReturnReport(order_no, case.case_number, result.amount, refund_no, already=False)
