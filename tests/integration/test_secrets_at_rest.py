"""Secrets at rest (issue: trust): the data folder is 0700; the register, its WAL, a backup, the e-certificate
store and the channel's store are for this account alone (0600 files, 0700 folders). POSIX only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from registry_desk.bootstrap import open_database
from registry_desk.config import Settings
from registry_desk.exemptions.ecert.local_store import LocalEcertStore
from registry_desk.operations.backup import backup_sqlite
from registry_desk.payments.local_channel import LocalChannel

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_register_and_everything_beside_it_are_private(tmp_path):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'registry.sqlite3'}")
    result = open_database(settings)
    try:
        with result.db.unit_of_work() as uow:  # a write, so the WAL exists
            uow.session.connection().exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (x)")
            uow.commit()
        assert _mode(data) == 0o700
        assert _mode(data / "registry.sqlite3") == 0o600
        assert _mode(data / "registry.sqlite3-wal") == 0o600
        backup = backup_sqlite(settings.database_url, tmp_path / "backup.sqlite3")
        assert _mode(Path(backup.path)) == 0o600
    finally:
        result.db.dispose()


def test_the_e_certificate_store_and_the_channel_store_are_private(tmp_path):
    store = LocalEcertStore(tmp_path / "ecerts")
    assert {
        _mode(p) for p in (tmp_path / "ecerts", tmp_path / "ecerts" / "pdf", tmp_path / "ecerts" / "records")
    } == {0o700}
    del store
    channel = LocalChannel(tmp_path / "data")
    assert _mode(channel.root) == 0o700 and _mode(channel.db_path) == 0o600
    assert _mode(channel.root / "channel.key") == 0o600
