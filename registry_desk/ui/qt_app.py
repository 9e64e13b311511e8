"""The Qt application both windows share (clerk window and kiosk): font, style, translations, and the check
that the installed Qt binding will not crash at random."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from registry_desk.resources_path import resource
from registry_desk.ui import APPLICATION, ORGANISATION

FONT_POINT_SIZE = 10
TRANSLATIONS = ("translations",)
_installed: list[QTranslator] = []
_font_family: str | None = None


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    return app


def refuse_broken_qt(parent: QWidget | None = None) -> bool:
    """True (after saying why, on screen and on stderr) when the installed Qt binding would crash at random."""
    from registry_desk.ui.qt_runtime import defect_message

    message = defect_message()
    if message is None:
        return False
    print(message, file=sys.stderr)
    QMessageBox.critical(parent, QCoreApplication.translate("App", "无法启动"), message)
    return True


def install_translations(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Chinese is the source language, so zh_CN needs only Qt's own strings (button texts of standard
    dialogs); English needs ours. Replaces what an earlier call installed."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    wanted: list[tuple[str, str]] = []
    if lang == "en":
        wanted.append(("registry_desk_en", str(resource(*TRANSLATIONS))))
    else:
        wanted.append(("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)))
    for name, folder in wanted:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
    return list(_installed)


def shipped_font_family() -> str | None:
    """WenQuanYi Micro Hei from resources/fonts: a bare Linux box has no CJK font at all."""
    global _font_family
    if _font_family is None:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", "wqy-microhei.ttc")))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _font_family = families[0] if families else ""
    return _font_family or None


def apply_look(app: QApplication) -> None:
    family = shipped_font_family()
    if family:
        app.setFont(QFont(family, FONT_POINT_SIZE))
    qss = resource("styles", "clerk.qss")
    if qss.is_file():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
