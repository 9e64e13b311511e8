"""kiosk_pickup_codes: the hashed 取件码 of each applicant of a case

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

The kiosk hands a certificate over only against the ID number and the pickup code printed on that
applicant's acceptance receipt (issue #12, item 7). Only a keyed hash of the code is stored; the key lives
in the data directory's keys/, not in the database. Cases accepted before this revision have no codes and
are served at the window.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_pickup_codes",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("issue_no", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("kiosk_pickup_codes")
