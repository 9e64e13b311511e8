"""The login dialog: username and password, errors inline in red, and a quick pick of demo accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import DomainError
from registry_desk.demo.demo_accounts import DEMO_ACCOUNTS

if TYPE_CHECKING:
    from registry_desk.kernel.context import Actor
    from registry_desk.storage.database import Database


class LoginDialog(QDialog):
    """Accepted only with a signed-in `actor`. A wrong password keeps the dialog open and says so inline:
    a popup would steal focus from the password field the clerk is about to retype.

    The dialog may be shown before the database is open (`db=None`): the clerk types while the app
    connects in the background; `set_database` enables signing in, and a login asked for meanwhile
    goes ahead as soon as the database is there."""

    def __init__(
        self,
        db: Database | None,
        demo_accounts: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self._pending_login = False
        kiosks = {username for username, _name, role, _window in DEMO_ACCOUNTS if role is Role.KIOSK}
        self._kiosks = kiosks
        self._demo = {u: p for u, p in (demo_accounts or {}).items() if u not in kiosks}
        self.setWindowTitle(self.tr("登录 — 不动产登记一窗受理"))
        self.setObjectName("loginDialog")

        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("loginError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("密码"), self.password)

        self.demo_pick = QComboBox(self)
        self.demo_pick.setObjectName("demoAccounts")
        self.demo_pick.currentIndexChanged.connect(self._pick_demo)
        form.addRow(self.tr("演示账户"), self.demo_pick)
        self._demo_label = form.labelForField(self.demo_pick)
        self._fill_demo_pick()

        buttons = QDialogButtonBox(self)
        self.login_button = buttons.addButton(self.tr("登录"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(self.tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        self.login_button.setAutoDefault(True)
        self.quit_button.setAutoDefault(False)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)

        title = QLabel(self.tr("不动产登记一窗受理 — 中卫市"), self)
        title.setObjectName("loginTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.demo_pick)
        self.setTabOrder(self.demo_pick, self.login_button)
        self.username.setFocus()
        self.setMinimumWidth(380)
        if db is None:
            self.show_status(self.tr("正在打开数据库…"))

    def _fill_demo_pick(self) -> None:
        self.demo_pick.blockSignals(True)
        self.demo_pick.clear()
        if self._demo:
            self.demo_pick.addItem(self.tr("（选择演示账户）"), None)
            names = {username: name for username, name, _role, _window in DEMO_ACCOUNTS}
            for username in self._demo:
                self.demo_pick.addItem(f"{username} — {names.get(username, username)}", username)
        self.demo_pick.blockSignals(False)
        self.demo_pick.setVisible(bool(self._demo))
        if self._demo_label is not None:
            self._demo_label.setVisible(bool(self._demo))

    def set_database(self, db: Database, demo_accounts: Mapping[str, str] | None = None) -> None:
        """The database is open: enable signing in (and offer demo accounts a fresh demo database made)."""
        self.db = db
        if demo_accounts is not None:
            self._demo = {u: p for u, p in demo_accounts.items() if u not in self._kiosks}
            self._fill_demo_pick()
        self.error_label.hide()
        if self._pending_login:
            self._pending_login = False
            self.try_login()

    def show_status(self, message: str) -> None:
        self.error_label.setProperty("status", True)
        self.error_label.setText(message)
        self.error_label.show()

    def _pick_demo(self, index: int) -> None:
        username = self.demo_pick.itemData(index)
        if not username:
            return
        self.username.setText(username)
        self.password.setText(self._demo[username])
        self.login_button.setFocus()

    def show_error(self, message: str) -> None:
        self.error_label.setProperty("status", False)
        self.error_label.setText(message)
        self.error_label.show()

    def try_login(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.show_error(self.tr("请输入用户名"))
            self.username.setFocus()
            return
        if self.db is None:
            self._pending_login = True
            self.show_status(self.tr("数据库正在打开，打开后自动登录…"))
            return
        from registry_desk.operations import users

        try:
            actor = users.login(self.db, username, self.password.text())
        except DomainError as error:
            self.show_error(error.message)
            self.password.clear()
            self.password.setFocus()
            return
        if actor.role is Role.KIOSK:
            # The kiosk account prints certificates in the hall; it has no business at a counter.
            self.show_error(
                self.tr("账户“{username}”是自助终端账户，不能登录窗口受理界面").format(username=username)
            )
            self.password.clear()
            self.username.setFocus()
            return
        self.actor = actor
        self.error_label.hide()
        self.accept()
