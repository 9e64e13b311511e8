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


def test_the_head_the_program_knows_is_alembics_head():
    # A new migration must move migrate.HEAD too, or databases would never be upgraded to it.
    assert migrate.HEAD == migrate.head_revision()


def test_a_database_at_head_opens_without_alembic_and_an_older_one_is_upgraded(any_db, monkeypatch):
    assert migrate.stored_revision(any_db.engine) == migrate.HEAD

    def alembic_was_asked(*_args, **_kwargs):
        raise AssertionError("Alembic consulted for a database already at head")

    with monkeypatch.context() as patched:
        patched.setattr(migrate, "check_not_newer", alembic_was_asked)
        migrate.upgrade(any_db.engine)
    migrate.downgrade(any_db.engine, "0004")
    assert migrate.stored_revision(any_db.engine) == "0004"
    migrate.upgrade(any_db.engine)
    assert migrate.stored_revision(any_db.engine) == migrate.HEAD


def test_a_database_alembic_never_touched_has_no_stored_revision(tmp_path):
    from registry_desk.storage.database import Database

    db = Database(f"sqlite:///{tmp_path}/empty.sqlite3")
    try:
        assert migrate.stored_revision(db.engine) is None
    finally:
        db.dispose()
