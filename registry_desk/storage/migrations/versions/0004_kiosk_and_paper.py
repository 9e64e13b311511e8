"""kiosk and paper stock: blank certificate paper ranges and serials, the kiosk print log, identity locks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Tables mapped in registry_desk/storage/kiosk/tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("first_no", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.Column("first_serial", sa.String(length=32), nullable=False),
        sa.Column("last_serial", sa.String(length=32), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_ranges")),
    )
    with op.batch_alter_table("paper_ranges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_paper_ranges_prefix_numbers", ["prefix", "first_no", "last_no"], unique=False
        )

    op.create_table(
        "paper_serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("range_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("used_by", sa.String(length=64), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("spoiled_reason", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_paper_serials_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["range_id"], ["paper_ranges.id"], name=op.f("fk_paper_serials_range_id_paper_ranges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_serials")),
        sa.UniqueConstraint("serial", name=op.f("uq_paper_serials_serial")),
    )
    with op.batch_alter_table("paper_serials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_serials_range_id"), ["range_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_paper_serials_certificate_number"), ["certificate_number"], unique=False
        )
        batch_op.create_index(
            "ix_paper_serials_status_range_position", ["status", "range_id", "position"], unique=False
        )

    op.create_table(
        "kiosk_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("kiosk_user", sa.String(length=64), nullable=False),
        sa.Column("receiver_party_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("output", sa.String(length=512), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_kiosk_prints_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["receiver_party_id"], ["parties.id"], name=op.f("fk_kiosk_prints_receiver_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_prints")),
    )
    with op.batch_alter_table("kiosk_prints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_prints_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kiosk_prints_certificate_number"), ["certificate_number"], unique=False
        )

    op.create_table(
        "kiosk_locks",
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("case_number", name=op.f("pk_kiosk_locks")),
    )
    op.create_table(
        "kiosk_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kiosk_settings")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_settings")
    op.drop_table("kiosk_locks")
    with op.batch_alter_table("kiosk_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_prints_certificate_number"))
        batch_op.drop_index(batch_op.f("ix_kiosk_prints_case_id"))
    op.drop_table("kiosk_prints")
    with op.batch_alter_table("paper_serials", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_serials_status_range_position")
        batch_op.drop_index(batch_op.f("ix_paper_serials_certificate_number"))
        batch_op.drop_index(batch_op.f("ix_paper_serials_range_id"))
    op.drop_table("paper_serials")
    with op.batch_alter_table("paper_ranges", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_ranges_prefix_numbers")
    op.drop_table("paper_ranges")
