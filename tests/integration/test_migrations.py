"""The schema is made only by Alembic: empty → head on SQLite and PostgreSQL, no drift from the mappings,
down and up again, and a database newer than the program is refused."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from registry_desk.storage import migrate
from registry_desk.storage.migrate import SchemaTooNew
from registry_desk.storage.schema import full_metadata


def test_head_has_every_mapped_table_and_no_drift(any_db):
    assert migrate.current_revision(any_db.engine) == migrate.head_revision()
    metadata = full_metadata()
    tables = set(inspect(any_db.engine).get_table_names())
    assert set(metadata.tables) <= tables
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == [], f"mappings and migrations disagree: {diff}"


def test_downgrade_to_empty_and_upgrade_again(any_db):
    migrate.downgrade(any_db.engine, "base")
    assert "units" not in inspect(any_db.engine).get_table_names()
    migrate.upgrade(any_db.engine)
    assert "units" in inspect(any_db.engine).get_table_names()


def test_a_database_from_a_newer_program_is_refused(any_db):
    with any_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(SchemaTooNew, match="ffff_future.*升级 registry-desk"):
        migrate.upgrade(any_db.engine)
