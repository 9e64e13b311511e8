"""case workflow: notice lapse dates, certificate preparation and hand-over, and whether a case is charged

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rights", schema=None) as batch_op:
        # 预告登记: the day the final registration became possible, and 90 days later the day it lapses
        batch_op.add_column(sa.Column("notice_registrable_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("notice_lapses_on", sa.Date(), nullable=True))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepared_by", sa.String(length=64), nullable=True))  # 缮证人
        batch_op.add_column(sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handed_over_by", sa.String(length=64), nullable=True))  # 发证人
        batch_op.add_column(sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("receiver_name", sa.String(length=64), nullable=True))  # 领证人
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("payment_required")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        for column in ("receiver_name", "handed_over_at", "handed_over_by", "prepared_at", "prepared_by"):
            batch_op.drop_column(column)
    with op.batch_alter_table("rights", schema=None) as batch_op:
        batch_op.drop_column("notice_lapses_on")
        batch_op.drop_column("notice_registrable_on")
