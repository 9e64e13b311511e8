"""The register on SQLite keeps every committed transaction through a power cut: each connection it opens,
pooled or a look-up's own, runs with synchronous=FULL under WAL (issue: trust, durability)."""

from __future__ import annotations

from registry_desk.storage.database import Database

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_connection_of_the_register_syncs_each_commit(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'register.db'}")
    try:
        with db.unit_of_work() as uow:
            connection = uow.session.connection().connection.dbapi_connection
            assert connection.execute("PRAGMA synchronous").fetchone()[0] == FULL
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with db.lookup_raw() as raw:
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == FULL
        with db.driver_work() as work:
            assert work.driver.connection.execute("PRAGMA synchronous").fetchone()[0] == FULL
    finally:
        db.dispose()
