"""audit_head: from which event the chain is keyed, and the key's fingerprint

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

From this revision on each audit event's hash is an HMAC-SHA256 under the register's chain key (kept in the
data directory's keys/, never in the database). The events an existing register already holds keep their
plain SHA-256 hashes and keep verifying: the head records that the chain is keyed from the event after its
current last one. `key_id` is filled in by the first keyed event.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.add_column(sa.Column("keyed_from", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=32), nullable=True))
    op.execute("UPDATE audit_head SET keyed_from = last_seq + 1")


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("keyed_from")
