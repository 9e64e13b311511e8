"""Shared fixtures: a migrated, empty register on SQLite (`sqlite_db`), PostgreSQL (`postgres_db`), or both (`any_db`).

Tests that want the Zhongwei demo register call `registry_desk.demo.demo_data.load_demo(db)` themselves,
so every test states what data it starts from.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from registry_desk.domain.audit import ChainKey
from registry_desk.kernel import audit as _chain
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade

POSTGRES_URL_ENV = "REGISTRY_DESK_TEST_DATABASE_URL"
OPERATOR_PREFIX = "REGISTRY_DESK_"
TEST_PREFIX = "REGISTRY_DESK_TEST_"

# The suite never reads the operator's settings: on a hall machine REGISTRY_DESK_DATABASE_URL names the
# real register. What the suite itself is told (REGISTRY_DESK_TEST_*) is kept here, then every
# REGISTRY_DESK_* variable leaves the environment before any test module is imported.
# (pytest imports this file as a conftest and tests import it as `tests.conftest`: the first import keeps
# the settings on `sys`, so the second, finding the environment already cleared, still has them.)
TEST_SETTINGS: dict[str, str] = sys.__dict__.setdefault(
    "_registry_desk_suite_settings", {k: v for k, v in os.environ.items() if k.startswith(TEST_PREFIX)}
)
for _name in [k for k in os.environ if k.startswith(OPERATOR_PREFIX)]:
    del os.environ[_name]


def _give_suite_chain_key(data_dir: Path) -> None:
    keys = data_dir / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(keys / "audit-chain.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(SUITE_CHAIN_KEY + "\n")


# One audit-chain key for the whole run, made at run time: a register built by a module fixture is written by
# later tests, each with a data dir of its own, and a window holding another key is refused (kernel/audit.py),
# as on a hall whose windows must share one key. Tests about the key itself use a data dir of their own.
SUITE_CHAIN_KEY: str = sys.__dict__.setdefault("_registry_desk_suite_chain_key", secrets.token_hex(32))
SUITE_KEY = ChainKey.of(bytes.fromhex(SUITE_CHAIN_KEY))
if "_registry_desk_suite_data_dir" not in sys.__dict__:
    # Module and session fixtures run before the per-test data dir below exists: they get this one (with the
    # suite's key), never the operator's default data folder.
    import atexit
    import shutil
    import tempfile

    _suite_dir = Path(tempfile.mkdtemp(prefix="registry-desk-suite-"))
    _give_suite_chain_key(_suite_dir)
    atexit.register(shutil.rmtree, _suite_dir, True)
    sys.__dict__["_registry_desk_suite_data_dir"] = str(_suite_dir)
os.environ["REGISTRY_DESK_DATA_DIR"] = sys.__dict__["_registry_desk_suite_data_dir"]

# Registers made by fixtures are written through data dirs of many tests' own (`--data-dir tmp_path`, a module
# fixture's folder): in this process every data dir holds the suite's key, as every window of one hall must.
# The tests of the key file itself call REAL_LOAD_CHAIN_KEY.
REAL_LOAD_CHAIN_KEY = sys.__dict__.setdefault("_registry_desk_real_load_chain_key", _chain.load_chain_key)
_chain.load_chain_key = lambda _keys_dir: SUITE_KEY


def suite_setting(name: str) -> str | None:
    """A REGISTRY_DESK_TEST_* variable as the suite was started with (they are cleared from the environment)."""
    return TEST_SETTINGS.get(name) or None


@pytest.fixture(autouse=True)
def no_operator_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Whatever a test (or a library) put into REGISTRY_DESK_* is gone again, and a data dir of the test's
    own stands where the operator's would be."""
    for name in [k for k in os.environ if k.startswith(OPERATOR_PREFIX)]:
        monkeypatch.delenv(name)
    data_dir = tmp_path_factory.mktemp("data-dir")
    monkeypatch.setenv("REGISTRY_DESK_DATA_DIR", str(data_dir))
    _give_suite_chain_key(data_dir)  # for the commands a test runs in a subprocess
    return data_dir


POSTGRES_SKIP_REASON = f"PostgreSQL tests skipped: set {POSTGRES_URL_ENV}, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"


def venv_tool(name: str) -> Path | None:
    """A command-line tool installed with the test extras: beside this interpreter (the venv's bin/), else
    on PATH; None when neither has it."""
    import shutil
    import sys

    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def postgres_base_url() -> str | None:
    """The server the PostgreSQL tests use, or None when the environment names none."""
    return suite_setting(POSTGRES_URL_ENV)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests asking for postgres_db directly get the marker too, so `-m "not postgres"` deselects them.
    for item in items:
        if "postgres_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@contextmanager
def migrated_sqlite(directory: os.PathLike[str]) -> Iterator[Database]:
    """A fresh SQLite file in `directory`, migrated to head by Alembic (the way the application makes one)."""
    db = Database(f"sqlite:///{os.fspath(directory)}/register.sqlite3")
    try:
        upgrade(db.engine)
        yield db
    finally:
        db.dispose()


@contextmanager
def migrated_postgres(base_url: str) -> Iterator[Database]:
    """A schema of its own on the test server, migrated to head, dropped afterwards.

    The schema `rd_test_<random>` is the connection's only search_path entry (psycopg passes `options` to
    the server), so tests running side by side, or one that fails half-way, never see each other's rows.
    """
    schema = f"rd_test_{secrets.token_hex(6)}"
    admin = create_engine(base_url, poolclass=NullPool)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        db = Database(f"{base_url}{separator}options=-csearch_path%3D{schema}")
        try:
            upgrade(db.engine)
            yield db
        finally:
            db.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _postgres_or_skip() -> str:
    base_url = postgres_base_url()
    if base_url is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    return base_url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite register for one test."""
    with migrated_sqlite(tmp_path) as db:
        yield db


@pytest.fixture
def postgres_db() -> Iterator[Database]:
    """A migrated, empty PostgreSQL register (own schema) for one test; skipped without the server URL."""
    with migrated_postgres(_postgres_or_skip()) as db:
        yield db


@pytest.fixture(params=BACKENDS)
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL (the latter skipped, with the reason, when unconfigured)."""
    db: Database = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated, empty register on each backend shared by all tests of one module.

    For modules whose tests only read what a module fixture loaded (say the demo register): loading once
    per module keeps them fast. Tests that write must use `any_db` instead.
    """
    if request.param == "sqlite":
        with migrated_sqlite(tmp_path_factory.mktemp("module_db")) as db:
            yield db
    else:
        with migrated_postgres(_postgres_or_skip()) as db:
            yield db
