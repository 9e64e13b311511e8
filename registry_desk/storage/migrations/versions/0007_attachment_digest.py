"""attachments: an index on sha256

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

A bank's sealed contract read at the window (F6) must not serve a second case: before prefilling from it,
exemptions/bank_contracts.py looks for the same file among the cases' sealed materials by its SHA-256.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
