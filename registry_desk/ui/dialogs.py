"""Message boxes for refusals a user can cause (DomainError): the service's Chinese message, as it is."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from registry_desk.domain.errors import DomainError


def show_domain_error(parent: QWidget | None, error: DomainError, title: str | None = None) -> None:
    """A refusal is not a crash: a warning box naming the rule and the record, and the work goes on."""
    QMessageBox.warning(parent, title or QCoreApplication.translate("Dialogs", "无法办理"), str(error))
