"""The login dialog as a clerk uses it: type, press Enter, read the red line when it goes wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from registry_desk.domain.codes import Role
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.operations.users import create_user
from registry_desk.storage.database import Database
from registry_desk.ui.login import LoginDialog
from tests.gui.conftest import CLERK_PASSWORD, CLERK_USERNAME


def _dialog(qtbot, db: Database, demo: dict[str, str] | None = None) -> LoginDialog:
    dialog = LoginDialog(db, demo)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_typing_username_and_password_then_enter_signs_the_clerk_in(qtbot, sqlite_db: Database, clerk: Actor):
    dialog = _dialog(qtbot, sqlite_db)
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    qtbot.keyClicks(dialog.username, CLERK_USERNAME)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.role) == (CLERK_USERNAME, Role.CLERK)


def test_wrong_password_is_said_inline_in_red_and_the_dialog_stays_open(
    qtbot, sqlite_db: Database, clerk: Actor
):
    dialog = _dialog(qtbot, sqlite_db)
    qtbot.keyClicks(dialog.username, CLERK_USERNAME)
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.actor is None
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "用户名或密码错误"
    # Red comes from the stylesheet rule for #loginError; the name is what ties the two together.
    assert dialog.error_label.objectName() == "loginError"
    assert dialog.password.text() == "", "the wrong password is cleared for retyping"
    assert dialog.focusWidget() is dialog.password


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(qtbot, sqlite_db: Database, clerk: Actor):
    dialog = _dialog(qtbot, sqlite_db)
    qtbot.keyClicks(dialog.username, "nobody")
    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error_label.text() == "用户名或密码错误"


def test_empty_username_is_asked_for_without_touching_the_database(qtbot, sqlite_db: Database):
    dialog = _dialog(qtbot, sqlite_db)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error_label.text() == "请输入用户名"
    assert dialog.focusWidget() is dialog.username


def test_demo_accounts_are_offered_and_one_pick_signs_in(qtbot, sqlite_db: Database):
    create_user(sqlite_db, SYSTEM, "clerk1", "受理员 李娜", Role.CLERK, "demo-pass-123")
    dialog = _dialog(qtbot, sqlite_db, {"clerk1": "demo-pass-123"})
    assert dialog.demo_pick.isVisible()
    labels = [dialog.demo_pick.itemText(i) for i in range(dialog.demo_pick.count())]
    assert "clerk1 — 受理员 李娜" in labels
    dialog.demo_pick.setCurrentIndex(labels.index("clerk1 — 受理员 李娜"))
    assert dialog.username.text() == "clerk1"
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.login_button, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.display_name == "受理员 李娜"


def test_without_demo_passwords_there_is_no_demo_pick(qtbot, sqlite_db: Database):
    dialog = _dialog(qtbot, sqlite_db)
    assert not dialog.demo_pick.isVisible()


def test_quit_rejects(qtbot, sqlite_db: Database):
    dialog = _dialog(qtbot, sqlite_db)
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        dialog.quit_button.click()
    assert dialog.actor is None


def test_the_kiosk_account_cannot_open_the_counter_window(qtbot, sqlite_db: Database):
    create_user(sqlite_db, SYSTEM, "kiosk1", "自助打证机 1号", Role.KIOSK, "kiosk-pass-123")
    dialog = _dialog(qtbot, sqlite_db, {"kiosk1": "kiosk-pass-123"})
    assert not dialog.demo_pick.isVisible(), "the only demo account was the kiosk: nothing to offer"
    qtbot.keyClicks(dialog.username, "kiosk1")
    qtbot.keyClicks(dialog.password, "kiosk-pass-123")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error_label.text() == "账户“kiosk1”是自助终端账户，不能登录窗口受理界面"


def test_the_window_is_up_before_the_database_and_a_login_waits_for_it(
    qtbot, sqlite_db: Database, clerk: Actor
):
    # The app shows the dialog at once and opens the database on a worker thread; a clerk who is
    # quicker than the database is signed in as soon as it is there, without pressing Enter again.
    dialog = _dialog(qtbot, None)  # type: ignore[arg-type]
    assert dialog.error_label.isVisible() and "正在打开数据库" in dialog.error_label.text()
    qtbot.keyClicks(dialog.username, CLERK_USERNAME)
    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.actor is None
    assert "打开后自动登录" in dialog.error_label.text()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        dialog.set_database(sqlite_db, {})
    assert dialog.actor is not None and dialog.actor.username == CLERK_USERNAME


def test_demo_accounts_appear_once_the_fresh_demo_database_has_made_them(
    qtbot, sqlite_db: Database, clerk: Actor
):
    dialog = _dialog(qtbot, None)  # type: ignore[arg-type]
    assert not dialog.demo_pick.isVisible()
    dialog.set_database(sqlite_db, {"clerk1": "pw-one-xyz", "kiosk1": "pw-kiosk"})
    assert dialog.demo_pick.isVisible()
    items = [dialog.demo_pick.itemText(i) for i in range(dialog.demo_pick.count())]
    assert any(t.startswith("clerk1") for t in items) and not any(t.startswith("kiosk1") for t in items)
