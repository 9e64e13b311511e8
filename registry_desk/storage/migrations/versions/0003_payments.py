"""payments: combined tax-and-fee orders, channel transactions, settlements and the ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Tables mapped in registry_desk/storage/ledger/tables.py. Money columns are integer fen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("order_type", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("live_key", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=128), nullable=True),
        sa.Column("channel_txn_id", sa.String(length=64), nullable=True),
        sa.Column("paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_payment_orders_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_orders")),
        sa.UniqueConstraint("live_key", name=op.f("uq_payment_orders_live_key")),
        sa.UniqueConstraint("order_no", name=op.f("uq_payment_orders_order_no")),
    )
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_orders_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_payment_orders_status_expires", ["status", "expires_at"], unique=False)

    op.create_table(
        "channel_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_channel_transactions_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_transactions")),
        sa.UniqueConstraint("channel", "txn_id", name=op.f("uq_channel_transactions_channel_txn_id")),
    )
    with op.batch_alter_table("channel_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_transactions_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_transactions_order_no"), ["order_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_transactions_paid_at"), ["paid_at"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("memo", sa.String(length=256), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_ledger_entries_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_ledger_entries_order_id_payment_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["ledger_entries.id"], name=op.f("fk_ledger_entries_reverses_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("kind", "order_id", name=op.f("uq_ledger_entries_kind_order_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "payment_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("standard", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("taxpayer_name", sa.String(length=128), nullable=False),
        sa.Column("taxpayer_id", sa.String(length=32), nullable=False),
        sa.Column("credit_status", sa.String(length=16), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_payment_order_lines_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_order_lines")),
    )
    with op.batch_alter_table("payment_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_order_lines_ref"), ["ref"], unique=False)

    op.create_table(
        "payment_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("bill_code", sa.String(length=16), nullable=True),
        sa.Column("check_code", sa.String(length=8), nullable=True),
        sa.Column("payer_name", sa.String(length=128), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("red_of_id", sa.Integer(), nullable=True),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_id"], ["attachments.id"], name=op.f("fk_payment_receipts_attachment_id_attachments")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_payment_receipts_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_payment_receipts_order_id_payment_orders")
        ),
        sa.ForeignKeyConstraint(
            ["red_of_id"],
            ["payment_receipts.id"],
            name=op.f("fk_payment_receipts_red_of_id_payment_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_receipts")),
        sa.UniqueConstraint("kind", "number", name=op.f("uq_payment_receipts_kind_number")),
    )
    with op.batch_alter_table("payment_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_receipts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_receipts_order_id"), ["order_id"], unique=False)

    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_no", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.Column("channel_refund_id", sa.String(length=64), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_payment_refunds_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_payment_refunds_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refunds")),
        sa.UniqueConstraint("refund_no", name=op.f("uq_payment_refunds_refund_no")),
    )
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_refunds_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_refunds_order_id"), ["order_id"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_ledger_postings_entry_id_ledger_entries")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["payment_order_lines.id"],
            name=op.f("fk_ledger_postings_line_id_payment_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_postings_account"), ["account"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_postings_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_entry_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_postings_account"))

    op.drop_table("ledger_postings")
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_refunds_order_id"))
        batch_op.drop_index(batch_op.f("ix_payment_refunds_case_id"))

    op.drop_table("payment_refunds")
    with op.batch_alter_table("payment_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_receipts_order_id"))
        batch_op.drop_index(batch_op.f("ix_payment_receipts_case_id"))

    op.drop_table("payment_receipts")
    with op.batch_alter_table("payment_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_order_lines_ref"))
        batch_op.drop_index(batch_op.f("ix_payment_order_lines_order_id"))

    op.drop_table("payment_order_lines")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_posted_at"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_case_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("channel_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_transactions_paid_at"))
        batch_op.drop_index(batch_op.f("ix_channel_transactions_order_no"))
        batch_op.drop_index(batch_op.f("ix_channel_transactions_order_id"))

    op.drop_table("channel_transactions")
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_orders_status_expires")
        batch_op.drop_index(batch_op.f("ix_payment_orders_case_id"))

    op.drop_table("payment_orders")
