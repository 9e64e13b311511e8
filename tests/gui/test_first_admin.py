"""A production register's first launch: with no account yet, the window asks for its first administrator
(keyboard only: type, Enter, type, Enter…), then the login waits with that name filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from registry_desk import app
from registry_desk.bootstrap import OpenResult, open_database
from registry_desk.config import Settings
from registry_desk.demo.demo_accounts import DEMO_ACCOUNTS_FILE
from registry_desk.domain.codes import Role
from registry_desk.operations import users
from registry_desk.storage.database import Database
from registry_desk.storage.hall.audit import events_after
from registry_desk.ui.first_admin import FirstAdministratorDialog
from registry_desk.ui.login import LoginDialog


@pytest.fixture
def production(tmp_path: Path):
    """A register made the way `init --no-demo` makes one: production, no account."""
    opened = open_database(Settings(tmp_path, f"sqlite:///{tmp_path / 'registry.sqlite3'}"), demo=False)
    assert not opened.demo and opened.accounts == 0
    yield opened
    opened.db.dispose()


def _type_in(qtbot, dialog: FirstAdministratorDialog, *values: str) -> None:
    for value in values:
        field = QApplication.focusWidget()
        if value.isascii():
            qtbot.keyClicks(field, value)
        else:
            field.insert(value)  # what an input method commits; QTest types Latin-1 only
        qtbot.keyClick(field, Qt.Key.Key_Return)


def _shown(qtbot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)


def test_the_first_administrator_is_made_from_the_keyboard_alone(qtbot, production: OpenResult):
    dialog = FirstAdministratorDialog(production.db)
    _shown(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.username
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _type_in(qtbot, dialog, "root", "刘洋", "first-admin-pass", "first-admin-pass")
    assert dialog.made is not None and (dialog.made.username, dialog.made.role) == ("root", Role.ADMIN)
    assert users.login(production.db, "root", "first-admin-pass").role is Role.ADMIN
    with production.db.unit_of_work(write=False) as uow:
        assert [e.action for e in events_after(uow.session, 0, 10)] == ["user.create_first_admin"]


def test_mismatched_or_short_passwords_are_said_inline_and_nothing_is_made(qtbot, production: OpenResult):
    dialog = FirstAdministratorDialog(production.db)
    _shown(qtbot, dialog)
    _type_in(qtbot, dialog, "root", "刘洋", "first-admin-pass", "first-admin-typo")
    assert dialog.isVisible() and dialog.error_label.text() == "两次输入的密码不一致，请再次输入"
    assert QApplication.focusWidget() is dialog.repeat
    dialog.password.setText("short")
    _type_in(qtbot, dialog, "short")
    assert "密码至少8位" in dialog.error_label.text() and "密码强度" in dialog.error_label.text()
    assert dialog.made is None and users.user_count(production.db) == 0


def test_the_login_of_an_empty_production_register_first_asks_for_its_administrator(
    qtbot, production: OpenResult
):
    login = LoginDialog(None)
    _shown(qtbot, login)
    login.set_database(production.db, {})
    dialog = app.offer_first_administrator(login, production)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.username)
    _type_in(qtbot, dialog, "root", "刘洋", "first-admin-pass", "first-admin-pass")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert login.username.text() == "root" and "已创建管理员“root”" in login.error_label.text()
    login.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is login.password)
    qtbot.keyClicks(login.password, "first-admin-pass")
    with qtbot.waitSignal(login.accepted, timeout=5000):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.actor is not None and login.actor.username == "root"


def test_nothing_is_asked_of_a_register_with_accounts_or_of_a_demo(qtbot, production: OpenResult):
    login = LoginDialog(production.db)
    qtbot.addWidget(login)
    users.create_first_administrator(production.db, "root", "刘洋", "first-admin-pass")
    later = OpenResult(production.db, False, {}, demo=False, accounts=1)
    demo = OpenResult(production.db, True, {}, demo=True, accounts=0)
    assert app.offer_first_administrator(login, later) is None
    assert app.offer_first_administrator(login, demo) is None


def test_the_default_launch_on_a_no_demo_register_asks_and_makes_no_demo_account(
    qapp, qtbot, tmp_path: Path, monkeypatch
):
    settings = Settings(tmp_path, f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    open_database(settings, demo=False).db.dispose()  # `init --no-demo`
    asked: list[FirstAdministratorDialog] = []

    def wait_for_the_question(login: LoginDialog) -> int:
        def shown() -> bool:
            asked[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, FirstAdministratorDialog)]
            return bool(asked) and asked[0].isVisible()

        qtbot.waitUntil(shown, timeout=30_000)
        asked[0].reject()  # quitting the question quits the program
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(LoginDialog, "exec", wait_for_the_question)
    assert app.run_gui(settings, demo=True) == 0  # `registry-desk` with no arguments
    assert len(asked) == 1
    db = Database(settings.database_url)
    try:
        assert users.user_count(db) == 0
    finally:
        db.dispose()
    assert not (tmp_path / DEMO_ACCOUNTS_FILE).exists()
