"""Paying at the kiosk: the identified citizen sees the orders of their own side (buyer or seller), pays by
scanning the QR with their phone, and the screen polls the channel until the payment is booked and its
sealed receipts are made."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from registry_desk.config import Settings
from registry_desk.domain.codes import IdType
from registry_desk.domain.errors import RuleViolation
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kiosk.identify import KIOSK_ROLES, Identified, case_for_reading, verified_party
from registry_desk.payments.channel import PaymentChannel, PaymentEvent
from registry_desk.domain.payment_orders import OPEN
from registry_desk.payments.orders import OrderView, case_orders
from registry_desk.payments.receipts import (
    ReceiptView,
    list_receipts,
    produce_receipt_documents,
    tools_from_keys,
)
from registry_desk.payments.settlement import record_payment
from registry_desk.registration.issuing import mask_id_number
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk.tables import utc
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Party


def their_orders(s: Session, case: Case, party: Party) -> list[OrderView]:
    """The orders of the side this citizen pays for (the order's lines name the taxpayer by ID number),
    with every taxpayer's ID number masked: a co-payer's number is not the citizen's to read, and the
    screen never needs a full one."""
    return [
        replace(
            o,
            lines=tuple(
                replace(line, taxpayer_id=mask_id_number(IdType.RESIDENT_ID, line.taxpayer_id))
                for line in o.lines
            ),
        )
        for o in case_orders(s, case.id)
        if any(line.taxpayer_id.upper() == party.id_number.upper() for line in o.lines)
    ]


@dataclass(frozen=True)
class PaymentState:
    orders: tuple[OrderView, ...]
    receipts: tuple[ReceiptView, ...]

    @property
    def settled(self) -> bool:
        return bool(self.orders) and all(o.status != OPEN for o in self.orders)


def _payment_state(s: Session, case: Case, party: Party) -> PaymentState:
    orders = tuple(their_orders(s, case, party))
    numbers = {o.order_no for o in orders}
    receipts = tuple(r for r in list_receipts(s, case.id) if r.order_no in numbers)
    return PaymentState(orders, receipts)


def payment_state(
    db: Database, actor: Actor, who: Identified, *, now: datetime | None = None
) -> PaymentState:
    actor.require(*KIOSK_ROLES, operation="自助终端查看缴款单")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = case_for_reading(s, who.case_number)
        return _payment_state(s, case, verified_party(s, actor, case, who, now=now))


def refresh_payment(
    db: Database,
    actor: Actor,
    who: Identified,
    channel: PaymentChannel,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> PaymentState:
    """Asks the channel about this citizen's open orders and books what it reports paid (the screen calls
    this on a timer); settled orders get their sealed receipts made and attached to the case."""
    actor.require(*KIOSK_ROLES, operation="自助终端查询缴费结果")
    now = utc(now or utc_now())
    # A citizen who comes back after the 30-minute lifetime finds a fresh QR, not a dead one: the same
    # idempotent step the window takes (missing orders issued, expired unpaid ones voided and reissued).
    from registry_desk.payments.service import ensure_orders

    payment_state(db, actor, who, now=now)  # identity check first: nothing is issued for a stranger
    ensure_orders(db, channel, actor, who.case_number, now=now)
    state = payment_state(db, actor, who, now=now)
    booked = False
    for order in state.orders:
        if order.status != OPEN:
            continue
        reported = channel.query(order.order_no)
        if not reported.is_paid:
            continue
        assert (
            reported.txn_id is not None and reported.paid_amount is not None and reported.paid_at is not None
        )
        record_payment(
            db,
            PaymentEvent(
                channel.name, reported.txn_id, order.order_no, reported.paid_amount, reported.paid_at, "poll"
            ),
            now,
        )
        booked = True
    if booked:
        if settings is not None:
            produce_receipt_documents(db, state.orders[0].case_id, tools_from_keys(settings.keys_dir), now)
        state = payment_state(db, actor, who, now=now)
    return state


def simulate_scan_payment(
    actor: Actor, channel: object, payload: str, *, now: datetime | None = None
) -> object:
    """Demo only: pays the QR through the local channel, as `registry-desk channel pay` does."""
    actor.require(*KIOSK_ROLES, operation="模拟扫码支付")
    pay = getattr(channel, "pay", None)
    if pay is None:
        raise RuleViolation(
            "当前收款渠道不支持模拟支付（仅演示环境的本地渠道可以）",
            rule="模拟扫码支付",
            record=getattr(channel, "name", ""),
        )
    return pay(payload, utc(now or utc_now()))
