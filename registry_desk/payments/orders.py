"""Combined tax-and-fee payment orders (税费同缴缴款单): one per paying side of a case, built from a Quote.

Each order holds the side's fee lines under one 非税缴款码 and its tax lines under the taxpayer's
电子税票号 (纳税人识别号 = the taxpayer's ID number). An order lives 30 minutes; a side has at most one live
order (a database rule, see `PaymentOrder.live_key`); an expired unpaid order is voided, and closed at the
channel, before a new one is issued (REFERENCE §9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.ledger import account_for_line
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import (
    OPEN,
    SETTLED,
    STATUS_LABELS,
    VOIDED,
)
from registry_desk.payments.channel import CHINA_TZ, ChannelOrder, PaymentChannel, as_utc
from registry_desk.payments.numbers import new_order_no, new_payment_code, new_tax_ticket_no
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.ledger import orders as stored
from registry_desk.storage.ledger.tables import PaymentOrder, PaymentOrderLine
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case

ORDER_LIFETIME = timedelta(minutes=30)

ORDER_TYPE_COMBINED = 0  # 税费统缴
ORDER_TYPE_TAX = 1  # 纳税
ORDER_TYPE_FEE = 2  # 收费
ORDER_TYPE_LABELS = {ORDER_TYPE_COMBINED: "税费统缴", ORDER_TYPE_TAX: "纳税", ORDER_TYPE_FEE: "收费"}

SIDE_LABELS = {
    "buyer": "买方",
    "seller": "卖方",
    "mortgagee": "抵押权人",
    "mortgagor": "抵押人",
    "applicant": "申请人",
}

# Local item codes for the fee bill's 项目编码 column [unverified: the 非税 system's own codes were not
# available; an administrator replaces them with the codes of the 执收 item catalogue].
FEE_ITEM_CODES = {"登记费": "103041201", "工本费": "103041202"}
TAX_ITEM_CODES = {
    "契税": "10119",
    "增值税": "10101",
    "城市维护建设税": "10109",
    "教育费附加": "10302",
    "地方教育附加": "10303",
    "个人所得税": "10106",
    "印花税": "10111",
    "土地增值税": "10113",
}

# Cases may get orders while being accepted or waiting for payment, not after.
_ORDERABLE = {CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT}


@dataclass(frozen=True)
class Taxpayer:
    """Who pays a side's lines: 缴款人 on the fee bill, 纳税人 (by ID number) on the tax certificate."""

    name: str
    id_number: str


def _taxpayer(value: Any, side: str) -> Taxpayer:
    if isinstance(value, Taxpayer):
        tp = value
    else:
        try:
            name, id_number = value
        except (TypeError, ValueError):
            raise ValidationError(
                f"{SIDE_LABELS.get(side, side)}的缴款人须给出姓名和证件号", rule="缴款人信息", record=side
            ) from None
        tp = Taxpayer(str(name).strip(), str(id_number).strip().upper())
    if not tp.name or not tp.id_number:
        raise ValidationError(
            f"{SIDE_LABELS.get(side, side)}的缴款人姓名或证件号为空", rule="缴款人信息", record=side
        )
    return tp


def _is_fee(line: Any) -> bool:
    return str(line.account) == "fiscal"


def _lock_case(session: Session, case_id: int) -> Case:
    case = stored.lock_case(session, case_id)
    if case is None:
        raise NotFound(
            f"没有编号为 {case_id} 的业务件", rule="缴款单须属于已受理的业务件", record=str(case_id)
        )
    return case


def _when(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _clear_the_way(
    session: Session, case: Case, side: str, now: datetime, channel: PaymentChannel
) -> list[dict[str, Any]] | None:
    """Voids an expired unpaid order of the side; refuses when a live one stands. Returns the voided
    order's lines (for a reissue), or None when the side had no order."""
    current = stored.lock_live_order(session, case.id, side)
    if current is None:
        return None
    who = SIDE_LABELS.get(side, side)
    if current.status == OPEN and now < as_utc(current.expires_at):
        raise RuleViolation(
            f"业务件 {case.case_number} 的{who}已有未过期的缴款单 {current.order_no}（有效期至 {_when(as_utc(current.expires_at))}），"
            "请使用该缴款单，过期后再重新开具",
            rule="同一缴费方同时只能有一张有效缴款单",
            record=current.order_no,
        )
    if current.status == OPEN:
        # Expired here, but the bank may have taken the money in the last second: never void a paid order.
        status = channel.query(current.order_no)
        if status.is_paid:
            raise RuleViolation(
                f"缴款单 {current.order_no} 已在渠道支付（流水号 {status.txn_id}），正在入账，不能作废重开",
                rule="已支付的缴款单不得作废",
                record=current.order_no,
            )
        channel.close(current.order_no)
        lines = [_line_dict(line) for line in current.lines]
        current.status = VOIDED
        current.live_key = None
        current.voided_at = now
        current.void_reason = "过期未缴，重新开具前作废"
        session.flush()
        return lines
    label = STATUS_LABELS.get(current.status, current.status)
    raise RuleViolation(
        f"业务件 {case.case_number} 的{who}缴款单 {current.order_no} 状态为“{label}”，不能再开具新的缴款单",
        rule="同一缴费方同时只能有一张有效缴款单",
        record=current.order_no,
    )


def _line_dict(line: PaymentOrderLine) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "account": line.account,
        "item": line.item,
        "item_code": line.item_code,
        "quantity": line.quantity,
        "standard": line.standard,
        "rate": line.rate,
        "amount": line.amount,
        "taxpayer_name": line.taxpayer_name,
        "taxpayer_id": line.taxpayer_id,
        "note": line.note,
    }


def _quote_lines(quote: Any, side: str, taxpayer: Taxpayer) -> list[dict[str, Any]]:
    lines = []
    for line in quote.payable_lines():
        if str(line.payer) != side:
            continue
        fee = _is_fee(line)
        lines.append(
            {
                "kind": "fee" if fee else "tax",
                "account": account_for_line("fee" if fee else "tax").value,
                "item": line.item,
                "item_code": (FEE_ITEM_CODES if fee else TAX_ITEM_CODES).get(line.item, "000000"),
                "quantity": 1,
                "standard": line.base,
                "rate": str(line.rate),
                "amount": line.amount,
                "taxpayer_name": taxpayer.name,
                "taxpayer_id": taxpayer.id_number,
                "note": (line.note or None) and str(line.note)[:256],
            }
        )
    return lines


def _issue(
    session: Session,
    case: Case,
    side: str,
    lines: list[dict[str, Any]],
    now: datetime,
    channel: PaymentChannel,
    created_by: str,
) -> PaymentOrder:
    has_fee = any(line["kind"] == "fee" for line in lines)
    has_tax = any(line["kind"] == "tax" for line in lines)
    order_type = ORDER_TYPE_COMBINED if has_fee and has_tax else ORDER_TYPE_FEE if has_fee else ORDER_TYPE_TAX
    amount = sum((line["amount"] for line in lines), Money.zero())
    order = PaymentOrder(
        order_no=new_order_no(session, now),
        case_id=case.id,
        side=side,
        order_type=order_type,
        status=OPEN,
        live_key=f"{case.id}:{side}",
        amount=amount,
        channel=channel.name,
        created_at=now,
        # Whole seconds: the QR carries the expiry to the second and the channel compares the two, so an
        # order made at 10:00:00.4 must expire at 10:30:00, not 10:30:00.4 (its own QR was refused).
        expires_at=(now + ORDER_LIFETIME).replace(microsecond=0),
        created_by=created_by,
    )
    payment_code = new_payment_code(session, now) if has_fee else None
    tickets: dict[str, str] = {}
    for position, line in enumerate(lines, start=1):
        if line["kind"] == "fee":
            ref = payment_code
        else:
            # One 电子税票号 per taxpayer: all of a taxpayer's tax items of the order go on one ticket.
            ref = tickets.get(line["taxpayer_id"])
            if ref is None:
                ref = tickets[line["taxpayer_id"]] = new_tax_ticket_no(session, now)
        order.lines.append(PaymentOrderLine(position=position, ref=ref, credit_status="pending", **line))
    session.add(order)
    session.flush()
    order.payload = channel.register_order(
        ChannelOrder(order.order_no, order.amount, order.expires_at, f"不动产登记税费 {case.case_number}")
    )
    return order


def create_orders(
    session: Session,
    case_id: int,
    quote: Any,
    taxpayers: Mapping[Any, Any],
    now: datetime,
    *,
    channel: PaymentChannel,
    created_by: str = "system",
) -> list[PaymentOrder]:
    """Issues one order per paying side of `quote` (sides with nothing to pay get none), in the caller's
    transaction. `taxpayers` maps each side (a `Payer` or its value) to (name, ID number) or a Taxpayer.

    Refuses when a side already has a live order; an expired unpaid one is voided first.
    """
    now = as_utc(now)
    case = _lock_case(session, case_id)
    if case.status not in _ORDERABLE:
        raise RuleViolation(
            f"业务件 {case.case_number} 当前状态为“{case.status.label}”，不能开具缴款单",
            rule="缴款单在受理时开具",
            record=case.case_number,
        )
    by_side = {str(k): v for k, v in taxpayers.items()}
    sides: list[str] = []
    for line in quote.payable_lines():
        side = str(line.payer)
        if side not in sides:
            sides.append(side)
    orders = []
    for side in sides:
        if side not in by_side:
            raise ValidationError(
                f"业务件 {case.case_number} 的{SIDE_LABELS.get(side, side)}有应缴税费，但未给出缴款人",
                rule="每个缴费方须有缴款人（纳税人识别号为其证件号）",
                record=case.case_number,
            )
        taxpayer = _taxpayer(by_side[side], side)
        _clear_the_way(session, case, side, now, channel)
        orders.append(
            _issue(session, case, side, _quote_lines(quote, side, taxpayer), now, channel, created_by)
        )
    return orders


def reissue_order(
    session: Session,
    case_id: int,
    side: Any,
    now: datetime,
    *,
    channel: PaymentChannel,
    created_by: str = "system",
) -> PaymentOrder:
    """Voids the side's expired unpaid order and issues a new one with the same items (new numbers)."""
    side = str(side)
    now = as_utc(now)
    case = _lock_case(session, case_id)
    if case.status not in _ORDERABLE:
        raise RuleViolation(
            f"业务件 {case.case_number} 当前状态为“{case.status.label}”，不能重新开具缴款单",
            rule="缴款单在受理后、缴清前开具",
            record=case.case_number,
        )
    lines = _clear_the_way(session, case, side, now, channel)
    if lines is None:
        raise NotFound(
            f"业务件 {case.case_number} 的{SIDE_LABELS.get(side, side)}没有可重新开具的缴款单",
            rule="重新开具须有已过期的缴款单",
            record=case.case_number,
        )
    return _issue(session, case, side, lines, now, channel, created_by)


# ---------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class OrderLineView:
    kind: str
    item: str
    amount: Money
    ref: str
    taxpayer_name: str
    taxpayer_id: str
    credit_status: str
    credited_at: datetime | None


@dataclass(frozen=True)
class OrderView:
    """An order as the cashier view and the kiosk show it."""

    order_no: str
    case_id: int
    side: str
    side_label: str
    order_type: int
    order_type_label: str
    status: str
    status_label: str
    amount: Money
    payload: str | None
    expires_at: datetime
    settled_at: datetime | None
    review_reason: str | None
    lines: tuple[OrderLineView, ...]

    def is_expired(self, now: datetime) -> bool:
        return self.status == OPEN and as_utc(now) >= self.expires_at


def order_view(order: PaymentOrder) -> OrderView:
    return OrderView(
        order_no=order.order_no,
        case_id=order.case_id,
        side=order.side,
        side_label=SIDE_LABELS.get(order.side, order.side),
        order_type=order.order_type,
        order_type_label=ORDER_TYPE_LABELS[order.order_type],
        status=order.status,
        status_label=STATUS_LABELS.get(order.status, order.status),
        amount=order.amount,
        payload=order.payload,
        expires_at=as_utc(order.expires_at),
        settled_at=as_utc(order.settled_at) if order.settled_at else None,
        review_reason=order.review_reason,
        lines=tuple(
            OrderLineView(
                line.kind,
                line.item,
                line.amount,
                line.ref,
                line.taxpayer_name,
                line.taxpayer_id,
                line.credit_status,
                as_utc(line.credited_at) if line.credited_at else None,
            )
            for line in order.lines
        ),
    )


def case_orders(session: Session, case_id: int, *, include_voided: bool = False) -> list[OrderView]:
    return [order_view(o) for o in stored.orders_of_case(session, case_id, include_voided=include_voided)]


def orders_for_case_number(session: Session, actor: Any, case_number: str) -> list[OrderView]:
    """The orders of a case, with the taxpayers' full ID numbers, for the cashier and the clerk. Never the
    kiosk: it reads only the identified citizen's own orders, masked (kiosk/payment.py)."""
    actor.require(Role.CASHIER, Role.CLERK, operation="查看缴款单")
    case = stored.case_by_number(session, case_number)
    if case is None:
        raise NotFound(
            f"没有受理编号为 {case_number} 的业务件", rule="按受理编号查询缴款单", record=case_number
        )
    return case_orders(session, case.id)


def case_is_paid(source: Session | Driver, case_id: int) -> bool:
    """True when every order of the case that counts is settled (契税法 §10: pay before recording).

    A case with nothing to pay has no orders and is paid; an open, expired, disputed or refunded order
    keeps it unpaid.
    """
    return not _unsettled_orders(source, case_id)


def _unsettled_orders(source: Session | Driver, case_id: int) -> list[tuple[str, str, Money]]:
    """(order number, status, amount) of every order of the case that counts and is not settled."""
    return [row for row in stored.counting_orders_of_case(source, case_id) if row[1] != SETTLED]
