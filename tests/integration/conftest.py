"""Fixtures shared by the integration tests that work on the demo register."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry_desk.demo import demo_data
from registry_desk.storage.database import Database
from tests.conftest import BACKENDS, migrated_sqlite


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register loaded once per module into a SQLite file; each test works on its own copy."""
    directory = tmp_path_factory.mktemp("demo_template")
    with migrated_sqlite(directory) as db:
        demo_data.load_demo(db)
    return directory / "register.sqlite3"


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh copy of the demo register on SQLite (a module may define its own `demo` instead)."""
    shutil.copyfile(demo_file, tmp_path / "register.sqlite3")
    db = Database(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    yield db
    db.dispose()


@pytest.fixture(params=BACKENDS)
def any_demo(request: pytest.FixtureRequest) -> Database:
    """The demo register on SQLite and on PostgreSQL, for the end-to-end proofs."""
    if request.param == "sqlite":
        return request.getfixturevalue("demo")
    db: Database = request.getfixturevalue("postgres_db")
    demo_data.load_demo(db)
    return db
