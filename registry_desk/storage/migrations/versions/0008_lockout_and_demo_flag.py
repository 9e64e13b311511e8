"""hall: sign-in lockout per user name, and whether the register is a demo

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Tables mapped in registry_desk/storage/hall/tables.py.

`sign_in_guards`: failed sign-ins counted per user name (known or not, see operations/users.py), the lock and
its back-off. `register_kind`: one row saying whether this database is a demo register (演示库) or a
production one. A database already in use when this migration runs (it has an account, a unit or a case) is
recorded as production here: whatever it was, it must never receive the demo accounts (an `admin` with a
password in a text file) again. An empty one is left undecided and bootstrap.open_database decides it the
first time the application opens it, from what its caller asked for (`init --no-demo` or the demo).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_guards",
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locks", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_sign_in_guards")),
    )
    kind = op.create_table(
        "register_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_register_kind_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_kind")),
    )
    bind = op.get_bind()
    in_use = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in ("users", "units", "cases")
    )
    if in_use:
        op.bulk_insert(
            kind, [{"id": 1, "demo": False, "decided_at": datetime.now(UTC), "decided_by": "migration 0008"}]
        )


def downgrade() -> None:
    op.drop_table("register_kind")
    op.drop_table("sign_in_guards")
