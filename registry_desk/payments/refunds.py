"""Refunds of a withdrawn or refused case: through the channel, then reversing entries, never edits.

Each settled order is refunded under a refund number derived from the order number, which the channel
treats as one refund however often it is sent: a crash between the channel's refund and our booking is
repaired by running the refund again. The booking (one transaction per order) writes the reversing journal
entry, the refund record, the red-letter (冲红) fee bill, marks the tax certificate reversed and the lines
退库, and appends the audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.ledger import JournalEntry, Posting
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import REFUNDED, SETTLED
from registry_desk.payments.channel import PaymentChannel, RefundResult, as_utc
from registry_desk.payments.numbers import bill_check_code, bill_code, new_bill_number
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import driver
from registry_desk.storage.ledger import orders as stored
from registry_desk.storage.ledger.receipts import valid_receipts_of_order
from registry_desk.storage.ledger.tables import PaymentReceipt, PaymentRefund
from registry_desk.storage.ledger.writer import REFUND, SETTLEMENT, entry_of_order, write_entry
from registry_desk.storage.session import Session

REFUNDABLE = {CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.NOT_ACCEPTED}


@dataclass(frozen=True)
class RefundReport:
    case_number: str
    refunded: tuple[tuple[str, Money], ...]  # (order no, amount) booked by this call
    already: tuple[str, ...]  # orders found refunded already

    @property
    def total(self) -> Money:
        return sum((amount for _, amount in self.refunded), Money.zero())


def refund_no_for(order_no: str) -> str:
    return f"RF{order_no}"


def refund_case(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    reason: str,
    now: datetime | None = None,
) -> RefundReport:
    """Refunds every settled order of a withdrawn or refused case (收费人员 only)."""
    actor.require(Role.CASHIER, operation="税费退付")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("退费须写明原因", rule="退费须有原因", record=case_number)
    now = as_utc(now or utc_now())
    with db.unit_of_work(write=False) as uow:
        case = stored.case_by_number(uow.session, case_number)
        if case is None:
            raise NotFound(
                f"没有受理编号为 {case_number} 的业务件", rule="退费须针对已受理的业务件", record=case_number
            )
        if case.status not in REFUNDABLE:
            raise RuleViolation(
                f"业务件 {case_number} 状态为“{case.status.label}”，只有已撤回、已驳回或不予受理的业务件才能退费",
                rule="已缴税费仅在撤回或驳回后退付",
                record=case_number,
            )
        orders = stored.settled_or_refunded_orders_of_case(uow.session, case.id)
    if not orders:
        raise RuleViolation(
            f"业务件 {case_number} 没有已入账的缴款，无需退费", rule="只退已入账的税费", record=case_number
        )
    refunded: list[tuple[str, Money]] = []
    already: list[str] = []
    for order_no, amount, status in orders:
        if status == REFUNDED:
            already.append(order_no)
            continue
        result = channel.refund(order_no, amount, refund_no_for(order_no), reason, now)
        with db.unit_of_work() as uow:
            booked = _book_refund(uow.session, actor, order_no, result, reason, now)
            uow.commit()
        if booked:
            refunded.append((order_no, amount))
        else:
            already.append(order_no)
    return RefundReport(case_number, tuple(refunded), tuple(already))


def _book_refund(
    session: Session, actor: Actor, order_no: str, result: RefundResult, reason: str, now: datetime
) -> bool:
    case_id = stored.case_id_of_order(session, order_no)
    case = stored.lock_case(session, case_id)
    assert case is not None
    order = stored.lock_order(session, order_no)
    if order.status != SETTLED:
        return False
    settlement = entry_of_order(session, SETTLEMENT, order.id)
    original = JournalEntry(
        tuple(Posting(p.account, p.debit, p.credit, p.ref) for p in settlement.postings), settlement.memo
    )
    reversal = original.reversal(f"缴款单 {order.order_no} 退费冲销：{reason}")
    write_entry(
        driver(session),
        kind=REFUND,
        order_id=order.id,
        case_id=order.case_id,
        entry=reversal,
        posted_at=now,
        line_ids=[p.line_id for p in settlement.postings],
        reverses_id=settlement.id,
    )
    for line in order.lines:
        line.credit_status = "reversed"
    session.add(
        PaymentRefund(
            refund_no=result.refund_no,
            order_id=order.id,
            case_id=case.id,
            amount=result.amount,
            reason=reason[:256],
            channel_refund_id=result.channel_refund_id,
            refunded_at=as_utc(result.refunded_at),
            requested_by=actor.username,
        )
    )
    receipts = valid_receipts_of_order(session, order.id)
    for receipt in receipts:
        receipt.status = "reversed"
        if receipt.kind == "fee":
            _red_letter_bill(session, receipt, now)
    order.status = REFUNDED
    order.refunded_at = now
    order.live_key = None
    audit.append(
        session,
        actor,
        "payment.refunded",
        case_id=case.id,
        unit_id=case.unit_id,
        record=order.order_no,
        after={
            "case_number": case.case_number,
            "order_no": order.order_no,
            "amount": str(result.amount),
            "refund_no": result.refund_no,
            "channel_refund_id": result.channel_refund_id,
            "reason": reason,
        },
        at=now,
    )
    return True


def _red_letter_bill(session: Session, original: PaymentReceipt, now: datetime) -> PaymentReceipt:
    """The 冲红 bill: same items with negative amounts, its own number, pointing at the bill it cancels."""
    code = bill_code(now)
    number = new_bill_number(session, now)
    amount = -original.amount
    lines = []
    for line in original.lines:
        red = dict(line)
        red["amount"] = str(-Money.yuan(line["amount"]))
        red["quantity"] = -int(line["quantity"])
        lines.append(red)
    red_bill = PaymentReceipt(
        kind="fee_red",
        case_id=original.case_id,
        order_id=original.order_id,
        number=number,
        bill_code=code,
        check_code=bill_check_code(code, number, amount, now, original.payer_id),
        payer_name=original.payer_name,
        payer_id=original.payer_id,
        amount=amount,
        issued_at=now,
        lines=lines,
        status="valid",
        red_of_id=original.id,
    )
    session.add(red_bill)
    return red_bill
