"""Settlement: the first report of a payment (status query or signed notification) books it, exactly once.

Exactly once rests on three database rules, not on timing: unique (channel, transaction id) for every
payment report, unique (kind, order) for journal entries, and the order row locked (FOR UPDATE on
PostgreSQL; SQLite writers hold the write lock from BEGIN IMMEDIATE) while it is examined and booked. A
report whose amount differs from the order by even one fen books nothing: the order goes to review.
In the same transaction: the balanced journal entry (待清算 debited, 国库 credited per tax line by 税票号,
财政专户 per fee line by 缴款码), each line's 入库 status, the receipt records, and — when this was the
case's last open order — the case's move from 待缴费 to 审核中 with its audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.ledger import JournalEntry, LedgerAccount, Posting
from registry_desk.domain.money import Money
from registry_desk.payments.channel import CHINA_TZ, PaymentChannel, PaymentEvent, as_utc, parse_notification
from registry_desk.payments.numbers import bill_check_code, bill_code, new_bill_number
from registry_desk.payments.orders import OPEN, REFUNDED, REVIEW, SETTLED, VOIDED
from registry_desk.payments.tables import (
    ChannelTransaction,
    LedgerEntry,
    LedgerPosting,
    PaymentOrder,
    PaymentReceipt,
)
from registry_desk.services import audit
from registry_desk.services.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Case

SETTLEMENT_ACTOR = Actor(user_id=None, username="system:settlement", display_name="税费同缴自动入账",
                         role=Role.CASHIER)

# Orders are polled a little past their expiry: the bank may accept a scan in the order's last second
# and report it late.
POLL_GRACE = timedelta(minutes=10)

PAYEE = "中卫市不动产登记中心"  # 收款单位
COLLECTOR = "中卫市自然资源局"  # 执收单位

# Outcomes of one payment report
SETTLED_NOW = "settled"
DUPLICATE = "duplicate"  # this transaction was seen before: nothing done
REVIEW_NOW = "review"  # booked nothing; a person must look (amount differs, voided or disputed order)
DOUBLE_PAYMENT = "double_payment"  # a second, different payment of a settled order (to be refunded)
UNKNOWN_ORDER = "unknown"


class ForgedNotification(ValidationError):
    """A notification whose signature does not verify."""


@dataclass(frozen=True)
class SettleOutcome:
    result: str
    order_no: str
    txn_id: str
    case_moved: bool = False
    message: str = ""


def _insert_transaction(session: Session, values: dict) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: None when the transaction was already recorded."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = ChannelTransaction.__table__
    stmt = module.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return session.execute(stmt).scalar_one_or_none()


_KNOWN_TXN = (
    select(ChannelTransaction.id)
    .where(ChannelTransaction.channel == bindparam("channel"), ChannelTransaction.txn_id == bindparam("txn_id"))
    .limit(1)
)


def _already_recorded(db: Database, event: PaymentEvent) -> bool:
    # A plain connection, not a Session: this runs for every repeated report, which is most of them.
    with db.engine.connect() as conn:
        return conn.execute(_KNOWN_TXN, {"channel": event.channel, "txn_id": event.txn_id}).first() is not None


def record_payment(db: Database, event: PaymentEvent, now: datetime | None = None) -> SettleOutcome:
    """Books one payment report (idempotent: the same transaction again changes nothing)."""
    now = as_utc(now or utc_now())
    event = replace(event, paid_at=as_utc(event.paid_at))
    # A cheap read first: most deliveries are repeats, and they need not queue for the write lock.
    if _already_recorded(db, event):
        return SettleOutcome(DUPLICATE, event.order_no, event.txn_id, message="该笔支付已记录")
    with db.unit_of_work() as uow:
        outcome = _record_in(uow.session, event, now)
        uow.commit()
    return outcome


def _record_in(session: Session, event: PaymentEvent, now: datetime) -> SettleOutcome:
    base = {
        "channel": event.channel,
        "txn_id": event.txn_id,
        "order_no": event.order_no,
        "amount": event.amount,
        "paid_at": event.paid_at,
        "received_at": now,
        "source": event.source,
    }
    case_id = session.execute(
        select(PaymentOrder.case_id).where(PaymentOrder.order_no == event.order_no)
    ).scalar_one_or_none()
    if case_id is None:
        note = f"渠道报告的订单 {event.order_no} 不是本系统开具的缴款单"
        inserted = _insert_transaction(session, {**base, "outcome": UNKNOWN_ORDER, "note": note})
        return SettleOutcome(UNKNOWN_ORDER if inserted else DUPLICATE, event.order_no, event.txn_id, message=note)

    # Lock order: case first, then the order (create_orders and refunds take them in the same order).
    case = session.execute(select(Case).where(Case.id == case_id).with_for_update()).scalar_one()
    order = session.execute(
        select(PaymentOrder)
        .where(PaymentOrder.order_no == event.order_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    txn_row = _insert_transaction(session, {**base, "order_id": order.id, "outcome": "pending"})
    if txn_row is None:
        return SettleOutcome(DUPLICATE, order.order_no, event.txn_id, message="该笔支付已记录")
    txn = session.get(ChannelTransaction, txn_row)
    assert txn is not None

    if order.status in (SETTLED, REFUNDED):
        txn.outcome = DOUBLE_PAYMENT
        txn.note = (f"缴款单 {order.order_no} 已由流水 {order.channel_txn_id} 缴清，"
                    f"本笔 {event.amount} 元为重复支付，须退款")
        return SettleOutcome(DOUBLE_PAYMENT, order.order_no, event.txn_id, message=txn.note)
    if order.status in (VOIDED, REVIEW):
        txn.outcome = REVIEW_NOW
        state = "已作废" if order.status == VOIDED else "待人工核查"
        txn.note = f"缴款单 {order.order_no} {state}，收到支付 {event.amount} 元，未入账，须人工处理"
        return SettleOutcome(REVIEW_NOW, order.order_no, event.txn_id, message=txn.note)

    assert order.status == OPEN
    order.channel_txn_id = event.txn_id
    order.paid_amount = event.amount
    order.paid_at = event.paid_at
    if event.amount != order.amount:
        difference = event.amount - order.amount
        order.status = REVIEW
        order.review_reason = (
            f"渠道实收 {event.amount} 元与缴款单 {order.order_no} 应收 {order.amount} 元不符"
            f"（相差 {difference} 元），未入账，须人工核查"
        )
        txn.outcome = REVIEW_NOW
        txn.note = order.review_reason
        audit.append(
            session, SETTLEMENT_ACTOR, "payment.review", case_id=case.id, record=order.order_no,
            after={"case_number": case.case_number, "order_no": order.order_no, "due": str(order.amount),
                   "paid": str(event.amount), "txn_id": event.txn_id},
            at=now,
        )
        return SettleOutcome(REVIEW_NOW, order.order_no, event.txn_id, message=order.review_reason)

    _settle(session, case, order, now)
    txn.outcome = SETTLED_NOW
    moved = _advance_case(session, case, now)
    return SettleOutcome(SETTLED_NOW, order.order_no, event.txn_id, case_moved=moved,
                         message=f"缴款单 {order.order_no} 已入账 {order.amount} 元")


def settlement_entry(order: PaymentOrder) -> JournalEntry:
    """The journal entry that books a paid order (built, and so balance-checked, before anything is written)."""
    postings = [Posting.dr(LedgerAccount.CLEARING, order.amount, order.order_no)]
    for line in order.lines:
        account = LedgerAccount.TREASURY if line.account == "treasury" else LedgerAccount.FISCAL
        postings.append(Posting.cr(account, line.amount, line.ref))
    return JournalEntry(tuple(postings), f"缴款单 {order.order_no} 入账")


def _write_entry(
    session: Session, kind: str, order: PaymentOrder, entry: JournalEntry, now: datetime,
    line_ids: list[int | None], reverses_id: int | None = None,
) -> LedgerEntry:
    row = LedgerEntry(kind=kind, order_id=order.id, case_id=order.case_id, memo=entry.memo[:256],
                      total=entry.total, posted_at=now, reverses_id=reverses_id)
    for posting, line_id in zip(entry.postings, line_ids, strict=True):
        row.postings.append(LedgerPosting(account=posting.account, debit=posting.debit, credit=posting.credit,
                                          ref=posting.ref, line_id=line_id))
    session.add(row)
    return row


def _settle(session: Session, case: Case, order: PaymentOrder, now: datetime) -> None:
    entry = settlement_entry(order)
    _write_entry(session, "settlement", order, entry, now, [None, *(line.id for line in order.lines)])
    for line in order.lines:
        line.credit_status = "credited"
        line.credited_at = now
    order.status = SETTLED
    order.settled_at = now
    _issue_receipts(session, order, now)
    session.flush()  # the unique (kind, order) rule speaks here, inside the transaction, if ever broken
    audit.append(
        session, SETTLEMENT_ACTOR, "payment.settled", case_id=case.id, record=order.order_no,
        after={"case_number": case.case_number, "order_no": order.order_no, "amount": str(order.amount),
               "txn_id": order.channel_txn_id,
               "treasury": str(-entry.amount_for(LedgerAccount.TREASURY)),
               "fiscal": str(-entry.amount_for(LedgerAccount.FISCAL))},
        at=now,
    )


def _receipt_line(line) -> dict:
    return {"code": line.item_code, "name": line.item, "quantity": line.quantity,
            "standard": str(line.standard), "rate": line.rate, "amount": str(line.amount), "ref": line.ref}


def _issue_receipts(session: Session, order: PaymentOrder, now: datetime) -> None:
    """Receipt records (numbers and amounts) in the settlement transaction; PDFs follow (receipts.py)."""
    tickets: dict[str, list] = {}
    fee_lines = []
    for line in order.lines:
        if line.kind == "tax":
            tickets.setdefault(line.ref, []).append(line)
        else:
            fee_lines.append(line)
    for ticket, lines in tickets.items():
        session.add(PaymentReceipt(
            kind="tax", case_id=order.case_id, order_id=order.id, number=ticket, bill_code=None, check_code=None,
            payer_name=lines[0].taxpayer_name, payer_id=lines[0].taxpayer_id,
            amount=sum((line.amount for line in lines), Money.zero()), issued_at=now,
            lines=[_receipt_line(line) for line in lines], status="valid",
        ))
    if fee_lines:
        code = bill_code(now)
        number = new_bill_number(session, now)
        total = sum((line.amount for line in fee_lines), Money.zero())
        payer_id = fee_lines[0].taxpayer_id
        session.add(PaymentReceipt(
            kind="fee", case_id=order.case_id, order_id=order.id, number=number, bill_code=code,
            check_code=bill_check_code(code, number, total, now, payer_id),
            payer_name=fee_lines[0].taxpayer_name, payer_id=payer_id, amount=total, issued_at=now,
            lines=[_receipt_line(line) for line in fee_lines], status="valid",
        ))


def _advance_case(session: Session, case: Case, now: datetime) -> bool:
    """Moves the case from 待缴费 to 审核中 when none of its orders is left unsettled."""
    if case.status is not CaseStatus.AWAITING_PAYMENT:
        return False
    orders = session.execute(
        select(PaymentOrder.status, PaymentOrder.amount).where(
            PaymentOrder.case_id == case.id, PaymentOrder.status != VOIDED
        )
    ).all()
    if not orders or any(status != SETTLED for status, _ in orders):
        return False
    total = sum((amount for _, amount in orders), Money.zero())
    # The case workflow owns the status move (and its audit event); settlement only says why.
    from registry_desk.services.cases import mark_paid_in

    mark_paid_in(
        session, SETTLEMENT_ACTOR, case, now=now,
        detail={"case_number": case.case_number, "total": str(total), "orders": len(orders), "method": "channel",
                "note": f"业务件 {case.case_number} 税费 {total} 元已全部缴清入库，转入审核"},
    )
    return True


# ---------------------------------------------------------------------------------------------------------
# How payments are learnt of


@dataclass
class PollReport:
    checked: int = 0
    outcomes: list[SettleOutcome] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)


def poll_open_orders(
    db: Database,
    channel: PaymentChannel,
    now: datetime | None = None,
    *,
    on_outcome: Callable[[SettleOutcome], None] | None = None,
) -> PollReport:
    """Asks the channel about every open order (and those expired within the grace period) and books
    what it reports paid. Every window calls this on a timer; running it twice at once is harmless."""
    now = as_utc(now or utc_now())
    with db.unit_of_work(write=False) as uow:
        order_nos = uow.session.execute(
            select(PaymentOrder.order_no)
            .where(PaymentOrder.status == OPEN, PaymentOrder.channel == channel.name,
                   PaymentOrder.expires_at > now - POLL_GRACE)
            .order_by(PaymentOrder.id)
        ).scalars().all()
    report = PollReport()
    for order_no in order_nos:
        report.checked += 1
        status = channel.query(order_no)
        if not status.is_paid:
            continue
        assert status.txn_id is not None and status.paid_amount is not None and status.paid_at is not None
        outcome = record_payment(
            db, PaymentEvent(channel.name, status.txn_id, order_no, status.paid_amount, status.paid_at, "poll"), now
        )
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return report


def handle_notification(
    db: Database, channel: PaymentChannel, body: bytes, signature: str, now: datetime | None = None
) -> SettleOutcome:
    """Books a signed asynchronous notification; a bad signature is refused before anything is read."""
    if not channel.verify_notification(body, signature):
        raise ForgedNotification(
            "支付通知签名无效，已拒绝（可能是伪造或被篡改的通知）", rule="支付通知须经渠道签名核验",
            record="支付通知",
        )
    event = parse_notification(body)
    if event.channel != channel.name:
        raise ForgedNotification(
            f"支付通知来自渠道“{event.channel}”，与核验签名的渠道“{channel.name}”不符，已拒绝",
            rule="支付通知须经渠道签名核验", record=event.order_no,
        )
    return record_payment(db, event, now)


def review_items(session: Session) -> list[dict]:
    """What needs a person: orders under review and payments that could not be booked."""
    items = []
    for order in session.execute(select(PaymentOrder).where(PaymentOrder.status == REVIEW)).scalars():
        items.append({"kind": "order", "order_no": order.order_no, "reason": order.review_reason or ""})
    for txn in session.execute(
        select(ChannelTransaction).where(ChannelTransaction.outcome.in_([REVIEW_NOW, DOUBLE_PAYMENT, UNKNOWN_ORDER]))
    ).scalars():
        items.append({"kind": "transaction", "order_no": txn.order_no, "txn_id": txn.txn_id,
                      "reason": txn.note or ""})
    return items


def local_date_text(moment: datetime) -> str:
    return as_utc(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d")
