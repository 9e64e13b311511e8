"""Starts the clerk window: Qt application, font, translations, database, crash handler, login, main window."""

from __future__ import annotations

import os
import threading
from functools import partial
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from registry_desk.config import Settings
from registry_desk.domain.errors import DomainError
from registry_desk.ui.crash import CrashHandler
from registry_desk.ui.qt_app import (  # noqa: F401 - also this module's API (tests, the kiosk)
    FONT_POINT_SIZE,
    TRANSLATIONS,
    application,
    apply_look,
    install_translations,
    refuse_broken_qt,
    shipped_font_family,
)

if TYPE_CHECKING:
    from registry_desk.ui.first_admin import FirstAdministratorDialog
    from registry_desk.ui.login import LoginDialog

EXIT_AFTER_STARTUP = "REGISTRY_DESK_EXIT_AFTER_STARTUP"


def run_gui(settings: Settings, demo: bool = True) -> int:
    """The clerk window. Returns the exit code: 0 after a normal quit (or a cancelled login), 1 when the
    database cannot be opened (the reason is shown in a dialog, never as a traceback)."""
    app = application()
    install_translations(app, settings.lang)
    app.setApplicationDisplayName(QCoreApplication.translate("App", "不动产登记一窗受理"))
    apply_look(app)
    if refuse_broken_qt():
        return 1
    crash = CrashHandler(Path(settings.data_dir) / "logs")
    crash.install()
    try:
        return _run(app, settings, demo)
    finally:
        crash.uninstall()


class _Opener:
    """Opens the database on a worker thread while the login window is already on screen; the outcome is
    posted to the UI thread (ui/tasks.post), so the window never waits for SQLAlchemy, Alembic or the demo
    load, and no Qt object is touched from the worker."""

    def __init__(self, on_opened: Callable[[object], None], on_failed: Callable[[object], None]) -> None:
        from registry_desk.ui import tasks

        self._tasks = tasks
        tasks.dispatcher()  # on the UI thread, before the worker posts to it
        self._on_opened = on_opened
        self._on_failed = on_failed
        self._stopped = False

    def start(self, settings: Settings, demo: bool) -> None:
        threading.Thread(target=self._work, args=(settings, demo), name="open-database", daemon=True).start()

    def stop(self) -> None:
        """UI thread: no callback runs after this; a database opened later is closed instead."""
        self._stopped = True

    def _arrive(self, callback: Callable[[object], None], value: object) -> None:
        if not self._stopped:
            callback(value)
            return
        db = getattr(value, "db", None)
        if db is not None:
            db.dispose()  # opened after the clerk closed the login window: nobody will use it

    def _work(self, settings: Settings, demo: bool) -> None:
        try:
            from registry_desk.bootstrap import open_database
            from registry_desk.demo.seed import seed_demo

            result = open_database(settings, seed=seed_demo if demo else None)
        except Exception as error:  # noqa: BLE001 - shown in the dialog rather than lost on a thread
            self._tasks.post(partial(self._arrive, self._on_failed, error))
            return
        self._tasks.post(partial(self._arrive, self._on_opened, result))


def offer_first_administrator(login: LoginDialog, result: object) -> FirstAdministratorDialog | None:
    """A production register with no account yet: its first administrator is asked for (over the login,
    which then waits with the new user name filled in); quitting that dialog quits the program. Nothing is
    asked of a demo register or of one that has accounts."""
    if getattr(result, "demo", True) or getattr(result, "accounts", 1) != 0:
        return None
    from registry_desk.ui.first_admin import FirstAdministratorDialog

    dialog = FirstAdministratorDialog(result.db, login)  # type: ignore[attr-defined]

    def made() -> None:
        if dialog.made is not None:
            login.username.setText(dialog.made.username)
            login.password.clear()
            login.password.setFocus()
            login.show_status(
                QCoreApplication.translate("App", "已创建管理员“{0}”，请登录").replace(
                    "{0}", dialog.made.username
                )
            )

    dialog.accepted.connect(made)
    dialog.rejected.connect(login.reject)
    dialog.open()
    return dialog


def _run(app: QApplication, settings: Settings, demo: bool) -> int:
    from registry_desk.demo.demo_accounts import read_demo_accounts
    from registry_desk.ui.login import LoginDialog

    login = LoginDialog(None, read_demo_accounts(settings.data_dir) if demo else {})
    state: dict[str, object] = {}

    def on_opened(result: object) -> None:
        state["opened"] = result
        opened_demo = demo and getattr(result, "demo", False)  # a production register offers no demo pick
        login.set_database(result.db, read_demo_accounts(settings.data_dir) if opened_demo else {})  # type: ignore[attr-defined]
        if os.environ.get(EXIT_AFTER_STARTUP) == "ready":
            login.reject()  # the benchmark's second figure: until signing in is possible
            return
        offer_first_administrator(login, result)

    def on_failed(error: object) -> None:
        state["failed"] = error
        message = str(error) if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        QMessageBox.critical(login, QCoreApplication.translate("App", "无法打开数据库"), message)
        login.reject()

    opener = _Opener(on_opened, on_failed)
    # Started once the window is up: the worker's imports (SQLAlchemy, Alembic) hold the GIL in bursts and
    # would otherwise delay the very first paint the clerk is waiting for.
    QTimer.singleShot(0, lambda: opener.start(settings, demo))
    if os.environ.get(EXIT_AFTER_STARTUP) == "1":
        # The benchmark measures process start to the login window shown and idle, then leaves.
        QTimer.singleShot(0, login.reject)
    accepted = login.exec() == QDialog.DialogCode.Accepted and login.actor is not None
    opener.stop()  # a late result must not reach a closed dialog, nor a torn-down application
    if "failed" in state:
        return 1
    opened = state.get("opened")
    if not accepted or opened is None:
        if opened is not None:
            opened.db.dispose()  # type: ignore[attr-defined]
        return 0
    from registry_desk.ui.main_window import MainWindow

    db = opened.db  # type: ignore[attr-defined]
    try:
        window = MainWindow(db, login.actor, settings)
        window.show()
        window.finish_pending_publishing()
        return int(app.exec())
    finally:
        # Work still running when the window closed (a recording, the claims released on closing) finishes
        # before its database is closed and the application torn down under it.
        from registry_desk.ui import tasks

        tasks.wait_for_all(30.0)
        # The closing window signs the audit chain's head (after verifying the events since the last
        # checkpoint), so what it recorded today cannot later vanish unnoticed.
        from registry_desk.operations.audit_checkpoints import checkpoint_quietly

        checkpoint_quietly(db, settings)
        db.dispose()
