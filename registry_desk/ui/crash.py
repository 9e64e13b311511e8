"""The crash handler: a programming error shows a dialog and writes its traceback to the data dir's log."""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from registry_desk.domain.errors import DomainError
from registry_desk.ui.dialogs import show_domain_error

LOG_NAME = "registry-desk-errors.log"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class CrashHandler:
    """Installed as `sys.excepthook` while the window runs: Qt calls it for exceptions escaping slots."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._previous: ExceptHook | None = None
        self._showing = False

    @property
    def log_path(self) -> Path:
        return self.log_dir / LOG_NAME

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self and self._previous is not None:
            sys.excepthook = self._previous

    def __call__(self, exc_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, error, tb)
            return
        if isinstance(error, DomainError):
            # A refusal that escaped a slot is still only a refusal: say it, log nothing.
            show_domain_error(QApplication.activeWindow(), error)
            return
        details = "".join(traceback.format_exception(exc_type, error, tb))
        path = self.write_log(details)
        if self._showing or QApplication.instance() is None:
            # A second error while the dialog is open (or no GUI at all): the log and stderr must do.
            sys.__excepthook__(exc_type, error, tb)
            return
        self._showing = True
        try:
            self.dialog(error, details, path).exec()
        finally:
            self._showing = False

    def write_log(self, details: str) -> Path:
        stamp = datetime.now().isoformat(timespec="seconds")
        entry = f"==== {stamp} ====\n{details}\n"
        for folder in (self.log_dir, Path(tempfile.gettempdir())):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / LOG_NAME
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(entry)
                return path
            except OSError:
                continue
        return self.log_path

    def dialog(self, error: BaseException, details: str, path: Path) -> QMessageBox:
        title = QCoreApplication.translate("CrashHandler", "程序错误")
        text = QCoreApplication.translate(
            "CrashHandler",
            "程序发生内部错误，刚才的操作没有完成。\n\n错误：{error}\n\n"
            "详细信息已写入日志：{path}\n请将该日志交给系统管理员。",
        ).format(error=f"{type(error).__name__}: {error}", path=path)
        box = QMessageBox(QMessageBox.Icon.Critical, title, text, parent=QApplication.activeWindow())
        box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        return box
