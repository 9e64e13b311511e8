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

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.ledger import JournalEntry, LedgerAccount, Posting, account_for_line
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import OPEN, REFUNDED, REVIEW, SETTLED, VOIDED
from registry_desk.payments.channel import CHINA_TZ, PaymentChannel, PaymentEvent, as_utc, parse_notification
from registry_desk.payments.numbers import bill_check_code, bill_code, new_bill_number
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver, driver
from registry_desk.storage.ledger import channel as transactions
from registry_desk.storage.ledger import orders as stored
from registry_desk.storage.ledger.receipts import insert_receipts
from registry_desk.storage.ledger.tables import PaymentOrder
from registry_desk.storage.ledger.writer import SETTLEMENT, write_entry
from registry_desk.storage.session import Session

SETTLEMENT_ACTOR = Actor(
    user_id=None, username="system:settlement", display_name="税费同缴自动入账", role=Role.CASHIER
)

# Orders are polled a little past their expiry: the bank may accept a scan in the order's last second
# and report it late.
POLL_GRACE = timedelta(minutes=10)

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


# Settling runs a dozen small statements per payment; each is compiled once in storage/ledger/ and run on the
# driver cursor of the unit of work's transaction (storage/driver_sql.py). The rows they read are held in
# these plain records.


@dataclass(frozen=True)
class _Line:
    id: int
    kind: str
    account: str
    item: str
    item_code: str
    quantity: int
    standard: Money
    rate: str
    amount: Money
    ref: str
    taxpayer_name: str
    taxpayer_id: str


@dataclass(frozen=True)
class _Order:
    """The locked order as settlement reads it (and as `settlement_entry` needs it)."""

    id: int
    order_no: str
    case_id: int
    status: str
    amount: Money
    channel_txn_id: str | None
    lines: tuple[_Line, ...] = ()


@dataclass(frozen=True)
class _LockedCase:
    id: int
    case_number: str
    status: CaseStatus


def _already_recorded(db: Database, event: PaymentEvent) -> bool:
    return transactions.transaction_recorded(db, event.channel, event.txn_id)


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
    sql = driver(session)
    base = {
        "channel": event.channel,
        "txn_id": event.txn_id,
        "order_no": event.order_no,
        "amount": event.amount,
        "paid_at": event.paid_at,
        "received_at": now,
        "source": event.source,
    }
    case_id = stored.case_id_of_order_number(sql, event.order_no)
    if case_id is None:
        note = f"渠道报告的订单 {event.order_no} 不是本系统开具的缴款单"
        inserted = transactions.insert_transaction(sql, {**base, "outcome": UNKNOWN_ORDER, "note": note})
        return SettleOutcome(
            UNKNOWN_ORDER if inserted else DUPLICATE, event.order_no, event.txn_id, message=note
        )

    # Lock order: case first, then the order (create_orders and refunds take them in the same order).
    case = _LockedCase(*stored.lock_case_head(sql, case_id))
    order = _Order(*stored.lock_order_head(sql, event.order_no))
    # What the report means is decided on the locked order and recorded with the transaction row, whose
    # unique (channel, transaction id) makes a repeated report change nothing at all.
    if order.status in (SETTLED, REFUNDED):
        note = (
            f"缴款单 {order.order_no} 已由流水 {order.channel_txn_id} 缴清，"
            f"本笔 {event.amount} 元为重复支付，须退款"
        )
        if (
            transactions.insert_transaction(
                sql, {**base, "order_id": order.id, "outcome": DOUBLE_PAYMENT, "note": note}
            )
            is None
        ):
            return SettleOutcome(DUPLICATE, order.order_no, event.txn_id, message="该笔支付已记录")
        return SettleOutcome(DOUBLE_PAYMENT, order.order_no, event.txn_id, message=note)
    if order.status in (VOIDED, REVIEW):
        state = "已作废" if order.status == VOIDED else "待人工核查"
        note = f"缴款单 {order.order_no} {state}，收到支付 {event.amount} 元，未入账，须人工处理"
        if (
            transactions.insert_transaction(
                sql, {**base, "order_id": order.id, "outcome": REVIEW_NOW, "note": note}
            )
            is None
        ):
            return SettleOutcome(DUPLICATE, order.order_no, event.txn_id, message="该笔支付已记录")
        return SettleOutcome(REVIEW_NOW, order.order_no, event.txn_id, message=note)

    assert order.status == OPEN
    if event.amount != order.amount:
        difference = event.amount - order.amount
        reason = (
            f"渠道实收 {event.amount} 元与缴款单 {order.order_no} 应收 {order.amount} 元不符"
            f"（相差 {difference} 元），未入账，须人工核查"
        )
        if (
            transactions.insert_transaction(
                sql, {**base, "order_id": order.id, "outcome": REVIEW_NOW, "note": reason}
            )
            is None
        ):
            return SettleOutcome(DUPLICATE, order.order_no, event.txn_id, message="该笔支付已记录")
        stored.set_order_payment(
            sql,
            order.id,
            status=REVIEW,
            channel_txn_id=event.txn_id,
            paid_amount=event.amount,
            paid_at=event.paid_at,
            settled_at=None,
            review_reason=reason,
        )
        audit.append(
            session,
            SETTLEMENT_ACTOR,
            "payment.review",
            case_id=case.id,
            record=order.order_no,
            after={
                "case_number": case.case_number,
                "order_no": order.order_no,
                "due": str(order.amount),
                "paid": str(event.amount),
                "txn_id": event.txn_id,
            },
            at=now,
        )
        return SettleOutcome(REVIEW_NOW, order.order_no, event.txn_id, message=reason)

    if transactions.insert_transaction(sql, {**base, "order_id": order.id, "outcome": SETTLED_NOW}) is None:
        return SettleOutcome(DUPLICATE, order.order_no, event.txn_id, message="该笔支付已记录")
    _settle(session, sql, case, order, event, now)
    moved = _advance_case(session, sql, case, now)
    return SettleOutcome(
        SETTLED_NOW,
        order.order_no,
        event.txn_id,
        case_moved=moved,
        message=f"缴款单 {order.order_no} 已入账 {order.amount} 元",
    )


def settlement_entry(order: PaymentOrder) -> JournalEntry:
    """The journal entry that books a paid order (built, and so balance-checked, before anything is written)."""
    postings = [Posting.dr(LedgerAccount.CLEARING, order.amount, order.order_no)]
    for line in order.lines:
        # The account the line's kind belongs to (the rule `check` holds the books to), not a copy of it.
        postings.append(Posting.cr(account_for_line(line.kind), line.amount, line.ref))
    return JournalEntry(tuple(postings), f"缴款单 {order.order_no} 入账")


def _settle(
    session: Session, sql: Driver, case: _LockedCase, order: _Order, event: PaymentEvent, now: datetime
) -> None:
    lines = tuple(_Line(*row) for row in stored.order_line_rows(sql, order.id))
    order = replace(order, lines=lines)
    entry = settlement_entry(order)  # type: ignore[arg-type]
    write_entry(
        sql,
        kind=SETTLEMENT,
        order_id=order.id,
        case_id=order.case_id,
        entry=entry,
        posted_at=now,
        line_ids=[None, *(line.id for line in lines)],
    )
    stored.set_lines_credit(sql, order.id, "credited", now)
    stored.set_order_payment(
        sql,
        order.id,
        status=SETTLED,
        channel_txn_id=event.txn_id,
        paid_amount=event.amount,
        paid_at=event.paid_at,
        settled_at=now,
        review_reason=None,
    )
    _issue_receipts(sql, order, now)
    audit.append(
        session,
        SETTLEMENT_ACTOR,
        "payment.settled",
        case_id=case.id,
        record=order.order_no,
        after={
            "case_number": case.case_number,
            "order_no": order.order_no,
            "amount": str(order.amount),
            "txn_id": event.txn_id,
            "treasury": str(-entry.amount_for(LedgerAccount.TREASURY)),
            "fiscal": str(-entry.amount_for(LedgerAccount.FISCAL)),
        },
        at=now,
    )


def _receipt_line(line) -> dict:
    return {
        "code": line.item_code,
        "name": line.item,
        "quantity": line.quantity,
        "standard": str(line.standard),
        "rate": line.rate,
        "amount": str(line.amount),
        "ref": line.ref,
    }


def _issue_receipts(sql: Driver, order: _Order, now: datetime) -> None:
    """Receipt records (numbers and amounts) in the settlement transaction; PDFs follow (receipts.py)."""
    tickets: dict[str, list] = {}
    fee_lines = []
    for line in order.lines:
        if line.kind == "tax":
            tickets.setdefault(line.ref, []).append(line)
        else:
            fee_lines.append(line)
    rows = []
    for ticket, lines in tickets.items():
        rows.append(
            {
                "kind": "tax",
                "case_id": order.case_id,
                "order_id": order.id,
                "number": ticket,
                "bill_code": None,
                "check_code": None,
                "payer_name": lines[0].taxpayer_name,
                "payer_id": lines[0].taxpayer_id,
                "amount": sum((line.amount for line in lines), Money.zero()),
                "issued_at": now,
                "lines": [_receipt_line(line) for line in lines],
                "status": "valid",
                "red_of_id": None,
                "attachment_id": None,
            }
        )
    if fee_lines:
        code = bill_code(now)
        number = new_bill_number(sql, now)
        total = sum((line.amount for line in fee_lines), Money.zero())
        payer_id = fee_lines[0].taxpayer_id
        rows.append(
            {
                "kind": "fee",
                "case_id": order.case_id,
                "order_id": order.id,
                "number": number,
                "bill_code": code,
                "check_code": bill_check_code(code, number, total, now, payer_id),
                "payer_name": fee_lines[0].taxpayer_name,
                "payer_id": payer_id,
                "amount": total,
                "issued_at": now,
                "lines": [_receipt_line(line) for line in fee_lines],
                "status": "valid",
                "red_of_id": None,
                "attachment_id": None,
            }
        )
    insert_receipts(sql, rows)


def _advance_case(session: Session, sql: Driver, case: _LockedCase, now: datetime) -> bool:
    """Moves the case from 待缴费 to 审核中 when none of its orders is left unsettled."""
    if case.status is not CaseStatus.AWAITING_PAYMENT:
        return False
    orders = stored.counted_order_amounts(sql, case.id)
    if not orders or any(status != SETTLED for status, _ in orders):
        return False
    total = sum((amount for _, amount in orders), Money.zero())
    # The case workflow owns the status move (and its audit event and version); settlement only says why.
    from registry_desk.registration.payment_status import mark_paid_in

    locked = stored.reloaded_case(session, case.id)
    assert locked is not None
    mark_paid_in(
        session,
        SETTLEMENT_ACTOR,
        locked,
        now=now,
        detail={
            "case_number": case.case_number,
            "total": str(total),
            "orders": len(orders),
            "method": "channel",
            "note": f"业务件 {case.case_number} 税费 {total} 元已全部缴清入库，转入审核",
        },
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
        order_nos = stored.pollable_order_numbers(uow.session, channel.name, now - POLL_GRACE)
    report = PollReport()
    for order_no in order_nos:
        report.checked += 1
        status = channel.query(order_no)
        if not status.is_paid:
            continue
        assert status.txn_id is not None and status.paid_amount is not None and status.paid_at is not None
        outcome = record_payment(
            db,
            PaymentEvent(channel.name, status.txn_id, order_no, status.paid_amount, status.paid_at, "poll"),
            now,
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
            "支付通知签名无效，已拒绝（可能是伪造或被篡改的通知）",
            rule="支付通知须经渠道签名核验",
            record="支付通知",
        )
    event = parse_notification(body)
    if event.channel != channel.name:
        raise ForgedNotification(
            f"支付通知来自渠道“{event.channel}”，与核验签名的渠道“{channel.name}”不符，已拒绝",
            rule="支付通知须经渠道签名核验",
            record=event.order_no,
        )
    return record_payment(db, event, now)


def review_items(session: Session) -> list[dict]:
    """What needs a person: orders under review and payments that could not be booked."""
    items = []
    for order in stored.orders_under_review(session):
        items.append({"kind": "order", "order_no": order.order_no, "reason": order.review_reason or ""})
    for txn in transactions.transactions_with_outcome(session, [REVIEW_NOW, DOUBLE_PAYMENT, UNKNOWN_ORDER]):
        items.append(
            {"kind": "transaction", "order_no": txn.order_no, "txn_id": txn.txn_id, "reason": txn.note or ""}
        )
    return items


def local_date_text(moment: datetime) -> str:
    return as_utc(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d")
