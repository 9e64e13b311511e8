"""hall: claims on open cases (处理中) and, on PostgreSQL, change announcements by NOTIFY

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Table mapped in registry_desk/storage/hall/tables.py. On PostgreSQL two triggers announce every audited
change and every claim taken or given up on the channel `registry_desk_changes` (see registration/changes.py):
NOTIFY is transactional, so a rolled-back change is never announced, and every writer announces whatever
program version or process it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The payload names the schema, because LISTEN channels are per database: registers living in separate
# schemas of one database (the test suite's, or a training copy) must not refresh each other's windows.
_AUDIT_FUNCTION = """
CREATE FUNCTION rd_announce_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('registry_desk_changes', json_build_object(
        'schema', current_schema(), 'topic', split_part(NEW.action, '.', 1),
        'key', coalesce(NEW.record, ''), 'seq', NEW.seq)::text);
    RETURN NULL;
END $$
"""

_CLAIM_FUNCTION = """
CREATE FUNCTION rd_announce_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('registry_desk_changes', json_build_object(
        'schema', current_schema(), 'topic', 'claim',
        'key', CASE WHEN TG_OP = 'DELETE' THEN OLD.case_number ELSE NEW.case_number END)::text);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "case_claims",
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("window", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_number", name=op.f("pk_case_claims")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_AUDIT_FUNCTION)
        op.execute(
            "CREATE TRIGGER rd_audit_announce AFTER INSERT ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION rd_announce_audit()"
        )
        op.execute(_CLAIM_FUNCTION)
        op.execute(
            "CREATE TRIGGER rd_claim_taken AFTER INSERT OR DELETE ON case_claims "
            "FOR EACH ROW EXECUTE FUNCTION rd_announce_claim()"
        )
        # A heartbeat only moves last_seen: announcing it would refresh every window of the hall each minute.
        op.execute(
            "CREATE TRIGGER rd_claim_moved AFTER UPDATE ON case_claims FOR EACH ROW "
            "WHEN (OLD.username IS DISTINCT FROM NEW.username OR OLD.window IS DISTINCT FROM NEW.window "
            "OR OLD.since IS DISTINCT FROM NEW.since) EXECUTE FUNCTION rd_announce_claim()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS rd_audit_announce ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS rd_announce_audit()")
        op.execute("DROP TRIGGER IF EXISTS rd_claim_taken ON case_claims")
        op.execute("DROP TRIGGER IF EXISTS rd_claim_moved ON case_claims")
        op.execute("DROP FUNCTION IF EXISTS rd_announce_claim()")
    op.drop_table("case_claims")
