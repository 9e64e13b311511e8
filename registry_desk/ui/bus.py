"""One "something changed" signal: after an operation, every view listening to it refreshes itself."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

ANY = "*"


class ChangeBus(QObject):
    """Owned by the main window and handed to its views (no global registry).

    `changed(what)` names what changed ("case", "register", or ANY) so that a view may skip work it does not
    show; views that cannot tell simply refresh on every emission."""

    changed = Signal(str)

    def notify(self, what: str = ANY) -> None:
        self.changed.emit(what)
