"""A production register's first launch: no account yet, so its first administrator is made here, before
anyone can sign in (operations/users.py `create_first_administrator`, refused once any account exists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.errors import DomainError

if TYPE_CHECKING:
    from registry_desk.kernel.context import Actor
    from registry_desk.storage.database import Database


class FirstAdministratorDialog(QDialog):
    """Keyboard-first: type, Tab (or Enter) to the next field, Enter on the last makes the account.
    Mistakes are said inline, in the login's red, and the dialog stays open; accepted only with `made`."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.made: Actor | None = None
        self.setWindowTitle(self.tr("设置首个管理员 — 不动产登记一窗受理"))
        self.setObjectName("firstAdminDialog")
        intro = QLabel(
            self.tr(
                "这是一个新的生产登记簿，尚无任何账户。请设置首个系统管理员；"
                "其他账户由管理员登录后新增。演示账户不会在生产登记簿中创建。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(self)
        self.username.setObjectName("adminUsername")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("adminDisplayName")
        self.password = QLineEdit(self)
        self.password.setObjectName("adminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(self)
        self.repeat.setObjectName("adminPasswordRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("loginError")  # the login's red (stylesheet rule for #loginError)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("姓名"), self.display_name)
        form.addRow(self.tr("密码（至少8位）"), self.password)
        form.addRow(self.tr("再次输入密码"), self.repeat)
        buttons = QDialogButtonBox(self)
        self.create_button = buttons.addButton(self.tr("创建管理员"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(self.tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.setAutoDefault(False)
        self.quit_button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        self.create_button.clicked.connect(self.try_create)
        # Enter in a field goes to the next one; in the last it makes the account.
        fields = (self.username, self.display_name, self.password, self.repeat)
        for here, after in zip(fields, fields[1:], strict=False):
            here.returnPressed.connect(after.setFocus)
        self.repeat.returnPressed.connect(self.try_create)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        chain: list[QWidget] = [*fields, self.create_button]
        for before, then in zip(chain, chain[1:], strict=False):
            self.setTabOrder(before, then)
        self.username.setFocus()
        self.setMinimumWidth(420)

    def show_error(self, message: str, field: QLineEdit) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        field.setFocus()

    def try_create(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.show_error(self.tr("请输入用户名"), self.username)
            return
        if not self.display_name.text().strip():
            self.show_error(self.tr("请输入管理员姓名"), self.display_name)
            return
        if self.password.text() != self.repeat.text():
            self.repeat.clear()
            self.show_error(self.tr("两次输入的密码不一致，请再次输入"), self.repeat)
            return
        from registry_desk.operations.users import create_first_administrator

        try:
            self.made = create_first_administrator(
                self.db, username, self.display_name.text().strip(), self.password.text()
            )
        except DomainError as error:
            self.password.clear()
            self.repeat.clear()
            self.show_error(str(error), self.password)
            return
        self.accept()
