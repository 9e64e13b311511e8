"""Starts kiosk mode: Qt application, font, translations, database, the kiosk account, the printer, the window."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont

from registry_desk.config import Settings
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied
from registry_desk.kiosk.identify import KioskPolicy

PASSWORD_ENV = "REGISTRY_DESK_KIOSK_PASSWORD"
DEMO_KIOSK = "kiosk1"


def kiosk_password(settings: Settings, username: str, demo: bool) -> str:
    """The kiosk account's password: the environment, else the demo accounts file, else a prompt."""
    from registry_desk.demo.demo_accounts import read_demo_accounts

    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if demo:
        known = read_demo_accounts(settings.data_dir).get(username)
        if known:
            return known
    return getpass.getpass(f"自助终端账户 {username} 的密码：")


def run_kiosk(
    settings: Settings,
    *,
    user: str | None = None,
    print_to: Path | None = None,
    printer: str | None = None,
    demo: bool = True,
    policy: KioskPolicy | None = None,
) -> int:
    from registry_desk.ui.qt_app import (
        application,
        install_translations,
        refuse_broken_qt,
        shipped_font_family,
    )
    from registry_desk.payments.local_channel import LocalChannel
    from registry_desk.operations import users
    from registry_desk.bootstrap import open_database
    from registry_desk.demo.seed import seed_demo
    from registry_desk.ui.crash import CrashHandler
    from registry_desk.ui.kiosk.printing import DirectoryOutput, QtPrinterOutput
    from registry_desk.ui.kiosk.window import KioskWindow

    opened = open_database(settings, seed=seed_demo if demo else None)
    db = opened.db
    try:
        username = user or DEMO_KIOSK
        actor = users.login(db, username, kiosk_password(settings, username, demo))
        if actor.role is not Role.KIOSK:
            raise PermissionDenied(
                f"账户“{actor.username}”不是自助终端账户，不能以自助模式运行",
                rule="自助终端账户",
                record=actor.username,
            )
        app = application()
        install_translations(app, settings.lang)
        app.setApplicationDisplayName(QCoreApplication.translate("Kiosk", "不动产登记自助服务"))
        family = shipped_font_family()
        if family:
            app.setFont(QFont(family, 14))
        if refuse_broken_qt():
            return 1
        crash = CrashHandler(Path(settings.data_dir) / "logs")
        crash.install()
        try:
            deliver = DirectoryOutput(print_to) if print_to is not None else QtPrinterOutput(printer)
            window = KioskWindow(
                db,
                actor,
                settings,
                channel=LocalChannel(settings.data_dir),
                deliver=deliver,
                demo=demo,
                policy=policy or KioskPolicy(),
            )
            window.exited.connect(app.quit)
            window.show_kiosk()
            return int(app.exec())
        finally:
            crash.uninstall()
    finally:
        db.dispose()
