"""Mappings of the 税费同缴 tables (orders, lines, channel transactions, ledger, receipts, refunds).

They share `Base` (and its naming convention) with the register's tables; migration 0003 creates them.
Money is integer fen (FenType); statuses are short English codes, labelled in Chinese where shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry_desk.domain.money import Money
from registry_desk.storage.tables import Base
from registry_desk.storage.types import FenType, UtcDateTime


def _tz() -> UtcDateTime:
    # Stored as UTC and read back aware on SQLite too (renders as DateTime(timezone=True) for migrations).
    return UtcDateTime()


class PaymentOrder(Base):
    """One combined payment order (缴款单) for one paying side of a case.

    `live_key` is "<case id>:<side>" while the order counts (open, under review, settled) and NULL once it
    is voided or refunded: its unique constraint makes "one live order per case and side" a database rule,
    so two windows issuing at the same moment cannot both succeed.
    """

    __tablename__ = "payment_orders"
    __table_args__ = (Index("ix_payment_orders_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    side: Mapped[str] = mapped_column(String(16))  # charges.Payer value: buyer / seller / mortgagee ...
    order_type: Mapped[int] = mapped_column(Integer)  # 0 税费统缴 / 1 纳税 / 2 收费
    status: Mapped[str] = mapped_column(String(16))  # open / review / settled / voided / refunded
    live_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    amount: Mapped[Money] = mapped_column(FenType)
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str | None] = mapped_column(Text)  # the QR text the channel returned
    created_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz())
    created_by: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(_tz())
    void_reason: Mapped[str | None] = mapped_column(String(128))
    channel_txn_id: Mapped[str | None] = mapped_column(String(64))
    paid_amount: Mapped[Money | None] = mapped_column(FenType)
    paid_at: Mapped[datetime | None] = mapped_column(_tz())
    settled_at: Mapped[datetime | None] = mapped_column(_tz())
    review_reason: Mapped[str | None] = mapped_column(Text)
    refunded_at: Mapped[datetime | None] = mapped_column(_tz())

    lines: Mapped[list[PaymentOrderLine]] = relationship(
        back_populates="order", order_by="PaymentOrderLine.position", cascade="all, delete-orphan"
    )


class PaymentOrderLine(Base):
    """One tax or fee item of an order, keyed by its 缴款码 (fee) or 电子税票号 (tax), with 入库 status."""

    __tablename__ = "payment_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # fee / tax
    account: Mapped[str] = mapped_column(String(16))  # treasury (国库) / fiscal (财政专户)
    item: Mapped[str] = mapped_column(String(64))  # 登记费, 契税, 增值税 ...
    item_code: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    standard: Mapped[Money] = mapped_column(FenType)  # 收费标准 per unit (fees) / 计税依据 (taxes)
    rate: Mapped[str] = mapped_column(String(16))  # Decimal as text; never a float
    amount: Mapped[Money] = mapped_column(FenType)
    ref: Mapped[str] = mapped_column(String(32), index=True)  # 缴款码 or 电子税票号
    taxpayer_name: Mapped[str] = mapped_column(String(128))
    taxpayer_id: Mapped[str] = mapped_column(String(32))  # 纳税人识别号 (the ID number) / 缴款人证件号
    credit_status: Mapped[str] = mapped_column(String(16))  # pending / credited (已入库) / reversed (已退库)
    credited_at: Mapped[datetime | None] = mapped_column(_tz())
    note: Mapped[str | None] = mapped_column(String(256))

    order: Mapped[PaymentOrder] = relationship(back_populates="lines")


class ChannelTransaction(Base):
    """Every payment the channel reported, once: unique (channel, transaction id) is the idempotency key."""

    __tablename__ = "channel_transactions"
    __table_args__ = (UniqueConstraint("channel", "txn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    txn_id: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(32), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    amount: Mapped[Money] = mapped_column(FenType)
    paid_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    received_at: Mapped[datetime] = mapped_column(_tz())
    source: Mapped[str] = mapped_column(String(16))  # poll / notify
    # settled / review (amount differs, order void) / duplicate (a second payment of a settled order)
    # / unknown (no such order)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class LedgerEntry(Base):
    """A journal entry; unique (kind, order) so an order is settled, and refunded, at most once."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("kind", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # settlement / refund
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    memo: Mapped[str] = mapped_column(String(256))
    total: Mapped[Money] = mapped_column(FenType)
    posted_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    postings: Mapped[list[LedgerPosting]] = relationship(
        back_populates="entry", order_by="LedgerPosting.id", cascade="all, delete-orphan"
    )


class LedgerPosting(Base):
    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(16), index=True)
    debit: Mapped[Money] = mapped_column(FenType)
    credit: Mapped[Money] = mapped_column(FenType)
    ref: Mapped[str] = mapped_column(String(32))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("payment_order_lines.id"))

    entry: Mapped[LedgerEntry] = relationship(back_populates="postings")


class PaymentReceipt(Base):
    """An issued 电子完税凭证 (kind tax) or 登记费电子票据 (fee; fee_red for its 冲红 counterpart).

    The numbers and amounts are written in the settlement transaction; the sealed PDF follows and is
    linked through `attachment_id` (NULL until it has been produced).
    """

    __tablename__ = "payment_receipts"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # tax / fee / fee_red
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))  # 税票号码 / 票据号码
    bill_code: Mapped[str | None] = mapped_column(String(16))  # 票据代码 (fee bills)
    check_code: Mapped[str | None] = mapped_column(String(8))  # 校验码 (fee bills)
    payer_name: Mapped[str] = mapped_column(String(128))
    payer_id: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Money] = mapped_column(FenType)  # negative on a red-letter bill
    issued_at: Mapped[datetime] = mapped_column(_tz())
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # printed item lines, amounts as text
    status: Mapped[str] = mapped_column(String(16))  # valid / reversed (冲红 or 退税 recorded)
    red_of_id: Mapped[int | None] = mapped_column(ForeignKey("payment_receipts.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))


class PaymentRefund(Base):
    """A refund of one settled order through the channel; `refund_no` is sent to the channel, which treats
    a repeated request with the same number as the same refund (so a retry after a crash never pays twice)."""

    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_no: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    amount: Mapped[Money] = mapped_column(FenType)
    reason: Mapped[str] = mapped_column(String(256))
    channel_refund_id: Mapped[str] = mapped_column(String(64))
    refunded_at: Mapped[datetime] = mapped_column(_tz())
    requested_by: Mapped[str] = mapped_column(String(64))
