"""The payment channel interface (the collecting bank as the app sees it) and the records it exchanges.

The embedded `LocalChannel` implements it; a real bank's adapter would implement the same protocol:
register an order and get the QR text, query an order, refund, fetch the day's statement, and check the
signature on an asynchronous payment notification.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from registry_desk.domain.clock import CHINA_TZ, as_utc  # noqa: F401 - also imported from here
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money

# The counters are in Ningxia; a "day" of statements and reports is a China Standard Time day.

# Channel order status codes as the production vendor's interface uses them (2 = paid).
STATUS_UNKNOWN = 0  # the channel has never seen the order
STATUS_UNPAID = 1
STATUS_PAID = 2
STATUS_CLOSED = 3  # expired or closed without payment
STATUS_REFUNDED = 4

STATUS_LABELS = {
    STATUS_UNKNOWN: "渠道无此订单",
    STATUS_UNPAID: "待支付",
    STATUS_PAID: "已支付",
    STATUS_CLOSED: "已关闭",
    STATUS_REFUNDED: "已退款",
}

KIND_PAYMENT = "payment"
KIND_REFUND = "refund"
KIND_LABELS = {KIND_PAYMENT: "支付", KIND_REFUND: "退款"}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a China Standard Time day starts and ends (end exclusive)."""
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class ChannelOrder:
    """What the channel needs to know to collect an order."""

    order_no: str
    amount: Money
    expires_at: datetime
    subject: str = "不动产登记税费"


@dataclass(frozen=True)
class ChannelStatus:
    order_no: str
    status: int
    txn_id: str | None = None
    paid_amount: Money | None = None
    paid_at: datetime | None = None

    @property
    def is_paid(self) -> bool:
        # A refunded order was paid first; settlement still has to see that payment once.
        return self.status in (STATUS_PAID, STATUS_REFUNDED) and self.txn_id is not None

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, f"未知状态 {self.status}")


@dataclass(frozen=True)
class PaymentEvent:
    """One report of a payment, from a status query or a notification; settlement consumes these."""

    channel: str
    txn_id: str
    order_no: str
    amount: Money
    paid_at: datetime
    source: str = "poll"  # poll / notify


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    channel_refund_id: str
    order_no: str
    amount: Money
    refunded_at: datetime


@dataclass(frozen=True)
class StatementRow:
    """One line of the channel's daily statement (对账单)."""

    kind: str  # payment / refund
    order_no: str
    txn_id: str  # the payment's transaction id, or the refund id
    amount: Money
    at: datetime


class PaymentChannel(Protocol):
    """A collecting bank. `name` keys channel transactions (unique per channel and transaction id)."""

    name: str

    def register_order(self, order: ChannelOrder) -> str:
        """Registers the order and returns the text to print as the payment QR code."""
        ...

    def query(self, order_no: str) -> ChannelStatus: ...

    def close(self, order_no: str) -> None:
        """Closes an unpaid order (关闭订单), so that its QR can no longer be paid."""
        ...

    def refund(
        self, order_no: str, amount: Money, refund_no: str, reason: str, now: datetime
    ) -> RefundResult:
        """Refunds `amount` of a paid order; the same `refund_no` again returns the same refund."""
        ...

    def statement(self, day: date) -> list[StatementRow]: ...

    def verify_notification(self, body: bytes, signature: str) -> bool: ...


# ---------------------------------------------------------------------------------------------------------
# Notification bodies (JSON): shared by the local channel and settlement


def notification_body(channel: str, status: ChannelStatus) -> bytes:
    """The canonical JSON body of a "paid" notification (what the channel signs)."""
    if not status.is_paid or status.paid_amount is None or status.paid_at is None:
        raise ValueError("only a paid order has a payment notification")
    doc = {
        "channel": channel,
        "order_no": status.order_no,
        "txn_id": status.txn_id,
        "amount": str(status.paid_amount),
        "paid_at": status.paid_at.astimezone(UTC).isoformat(),
        "status": STATUS_PAID,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_notification(body: bytes) -> PaymentEvent:
    """Reads a (signature-checked) notification body; refuses anything but a well-formed payment."""
    try:
        doc = json.loads(body.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("status") != STATUS_PAID:
            raise ValueError("not a payment")
        paid_at = datetime.fromisoformat(str(doc["paid_at"]))
        if paid_at.tzinfo is None:
            raise ValueError("naive time")
        return PaymentEvent(
            channel=str(doc["channel"]),
            txn_id=str(doc["txn_id"]),
            order_no=str(doc["order_no"]),
            amount=Money.yuan(str(doc["amount"])),
            paid_at=paid_at,
            source="notify",
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError(
            f"支付通知内容无法识别：{exc}", rule="支付通知须为渠道签名的支付结果", record="支付通知"
        ) from exc
