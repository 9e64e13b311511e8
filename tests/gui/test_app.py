"""Starting the window: a database that cannot be opened is a dialog and exit code 1, never a traceback;
the English translation loads; a programming error reaches the crash dialog and the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox

from registry_desk import app
from registry_desk.config import Settings
from registry_desk.domain.errors import RuleViolation
from registry_desk.storage.database import Database
from registry_desk.ui.crash import LOG_NAME, CrashHandler
from registry_desk.ui.login import LoginDialog
from registry_desk.ui.models import SearchResultsModel


@pytest.fixture
def criticals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def capture(_parent, title, text, *_args, **_kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(capture))
    return shown


@pytest.fixture(autouse=True)
def chinese_again(qapp):
    yield
    app.install_translations(qapp, "zh_CN")


def test_unreachable_database_shows_the_reason_and_exits_1(qapp, tmp_path: Path, criticals):
    settings = Settings(tmp_path, "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none")
    assert app.run_gui(settings, demo=False) == 1
    assert len(criticals) == 1
    title, text = criticals[0]
    assert title == "无法打开数据库"
    assert text.startswith("无法连接数据库")
    assert "127.0.0.1:1" in text
    assert "hunter2" not in text, "the password never reaches the screen"
    assert "Traceback" not in text


def test_corrupt_sqlite_file_shows_the_reason_and_exits_1(qapp, tmp_path: Path, criticals):
    path = tmp_path / "registry.sqlite3"
    path.write_bytes(b"this is not a database\x00\xff" * 512)
    assert app.run_gui(Settings(tmp_path, f"sqlite:///{path}"), demo=False) == 1
    assert len(criticals) == 1
    assert criticals[0][0] == "无法打开数据库"
    assert "registry.sqlite3" in criticals[0][1]


def test_cancelling_the_login_quits_cleanly(
    qapp, sqlite_db: Database, tmp_path: Path, monkeypatch, criticals
):
    seen: list[LoginDialog] = []

    def cancel(dialog: LoginDialog) -> int:
        seen.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(LoginDialog, "exec", cancel)
    assert app.run_gui(Settings(tmp_path, sqlite_db.url), demo=False) == 0
    assert criticals == []
    assert len(seen) == 1
    assert QCoreApplication.organizationName() == "registry-desk"
    assert qapp.font().family() == "WenQuanYi Micro Hei", "the shipped CJK font is the default"


def test_english_translation_loads(qapp):
    assert app.install_translations(qapp, "en"), "registry_desk_en.qm was found and loaded"
    assert SearchResultsModel().headers == ("Kind", "Name or address", "Details")
    assert QCoreApplication.translate("App", "无法打开数据库") == "Cannot open the database"


def test_chinese_is_the_source_and_qt_own_strings_are_chinese(qapp):
    assert app.install_translations(qapp, "zh_CN"), "qtbase_zh_CN.qm ships with PySide6"
    assert SearchResultsModel().headers == ("类别", "名称或坐落", "说明")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_a_programming_error_is_logged_and_shown_in_the_crash_dialog(qapp, tmp_path: Path, monkeypatch):
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    handler = CrashHandler(tmp_path / "logs")
    try:
        raise ZeroDivisionError("division by zero in fee split")
    except ZeroDivisionError as error:
        handler(type(error), error, error.__traceback__)
    log = (tmp_path / "logs" / LOG_NAME).read_text(encoding="utf-8")
    assert "Traceback" in log and "division by zero in fee split" in log
    assert len(shown) == 1
    assert shown[0].windowTitle() == "程序错误"
    assert "ZeroDivisionError: division by zero in fee split" in shown[0].text()
    assert str(tmp_path / "logs" / LOG_NAME) in shown[0].text()
    assert "Traceback" in shown[0].detailedText()


def test_a_refusal_escaping_a_slot_is_a_warning_not_a_crash(qapp, tmp_path: Path, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text)))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: pytest.fail("no crash dialog for a refusal"))
    handler = CrashHandler(tmp_path / "logs")
    error = RuleViolation(
        "单元已被查封，不能办理转移登记", rule="条例第二十二条", record="640502001001GB00001F00010101"
    )
    handler(type(error), error, None)
    assert warnings == [str(error)]
    assert not (tmp_path / "logs" / LOG_NAME).exists()


def test_the_handler_is_installed_only_while_the_window_runs(qapp, tmp_path: Path, criticals):
    import sys

    before = sys.excepthook
    app.run_gui(Settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none"), demo=False)
    assert sys.excepthook is before


def test_a_database_opened_after_the_login_closed_is_closed_and_never_announced(
    qapp, tmp_path: Path, qtbot, monkeypatch
):
    # The login window closed (the clerk cancelled, or the benchmark left) while the worker was still
    # opening the database: nothing may reach the closed login, and the database it opened is closed.
    import threading

    disposed: list[str] = []
    real_dispose = Database.dispose

    def recording_dispose(self: Database) -> None:
        disposed.append(self.url)
        real_dispose(self)

    monkeypatch.setattr(Database, "dispose", recording_dispose)
    late_url = f"sqlite:///{tmp_path}/late.sqlite3"
    heard: list[object] = []
    opener = app._Opener(heard.append, heard.append)
    opener.stop()
    opener.start(Settings(tmp_path, late_url), False)
    next(t for t in threading.enumerate() if t.name == "open-database").join(30)
    qtbot.waitUntil(lambda: disposed == [late_url], timeout=5000)
    assert heard == []

    # Before stop(), the same worker does announce (the control for the assertion above).
    live = app._Opener(heard.append, heard.append)
    live.start(Settings(tmp_path, f"sqlite:///{tmp_path}/live.sqlite3"), False)
    qtbot.waitUntil(lambda: len(heard) == 1, timeout=30_000)
    assert hasattr(heard[0], "db"), heard[0]
    heard[0].db.dispose()  # type: ignore[attr-defined]


def test_an_english_intake_lists_its_problems_the_english_way(qtbot, qapp, tmp_path: Path):
    from registry_desk.demo.demo_cases import pick_demo_units
    from registry_desk.demo.demo_data import load_demo
    from registry_desk.ui.intake.dialog import IntakeDialog
    from registry_desk.ui.tasks import TaskRunner
    from tests.conftest import migrated_sqlite
    from tests.integration.test_case_helpers import CLERK

    with migrated_sqlite(tmp_path) as db:
        load_demo(db)
        unit = pick_demo_units(db).plain[0]
        try:
            assert app.install_translations(qapp, "en")
            dialog = IntakeDialog(db, CLERK, Settings(tmp_path, db.url), unit, TaskRunner())
            qtbot.addWidget(dialog)
            dialog.accept_intake()  # nobody filled in: several problems at once
            text = dialog.error_label.text()
            assert text.startswith("Cannot accept") and "; " in text and "；" not in text
            dialog.close()
        finally:
            app.install_translations(qapp, "zh_CN")
