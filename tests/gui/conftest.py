"""GUI test setup: offscreen Qt, an isolated QSettings store, Qt warnings as failures, a signed-in clerk."""

from __future__ import annotations

import os

# Must happen before a QApplication exists; pytest-qt has no option for it (TECH-NOTES, Qt).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from registry_desk.domain.codes import Role
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.operations.users import create_user
from registry_desk.storage.database import Database
from tests.conftest import suite_setting

CLERK_USERNAME = "clerk"
CLERK_PASSWORD = "secret-pass-1"

# The offscreen platform says this for every top-level window; it is about the platform, not our code.
_HARMLESS_QT_MESSAGES = [r"This plugin does not support propagateSizeHints\(\)"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # qutebrowser's rule: a Qt warning during a GUI test is a failure, not noise.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*_HARMLESS_QT_MESSAGES))


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Window geometry must not leak between tests, nor into the developer's own ~/.config."""
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def clerk(sqlite_db: Database) -> Actor:
    """A clerk account in the database (the way an administrator makes one)."""
    return create_user(
        sqlite_db, SYSTEM, CLERK_USERNAME, "受理员", Role.CLERK, CLERK_PASSWORD, window="1号窗口"
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo register with a clerk, shared by a module's read-only tests (loading it takes a second).
    Built like `sqlite_db` (tests/conftest.py), only once per module."""
    from registry_desk.demo.demo_data import load_demo
    from registry_desk.storage.migrate import upgrade

    folder = tmp_path_factory.mktemp("demo")
    db = Database(f"sqlite:///{folder}/register.sqlite3")
    upgrade(db.engine)
    load_demo(db)
    create_user(db, SYSTEM, CLERK_USERNAME, "受理员", Role.CLERK, CLERK_PASSWORD, window="1号窗口")
    try:
        yield db
    finally:
        db.dispose()


# `.ci/run` runs this folder a second time with REGISTRY_DESK_TEST_FORCE_GC=1: the collector then runs
# after every few allocations and around every test, so an object freed from the wrong thread, or a
# callback reaching a deleted widget, shows up on every commit instead of one day at a window.
FORCE_GC_ENV = "REGISTRY_DESK_TEST_FORCE_GC"
if suite_setting(FORCE_GC_ENV) == "1":
    import gc

    gc.set_threshold(50, 2, 2)

    @pytest.fixture(autouse=True)
    def collect_garbage_around_each_test() -> Iterator[None]:
        gc.collect()
        yield
        gc.collect()
