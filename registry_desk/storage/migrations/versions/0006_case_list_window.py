"""case list window: an index on cases.completed_at

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

The windows' case list shows the open cases and those accepted or finished in the last days
(registration/queries.py `list_cases(recent_days=...)`), re-read on every change and every 30 seconds; finding the
recently finished ones must not scan a year of cases.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_completed_at", "cases", ["completed_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_completed_at", table_name="cases")
