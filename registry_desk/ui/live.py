"""Live updates for a window: what other windows commit reaches this window's ChangeBus, on the UI thread.

The ChangeListener (services/changes.py) calls back on its own thread; a queued signal carries each change
to the UI thread, where a short single-shot timer gathers a burst (a recording announces several events)
into one refresh per topic.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from registry_desk.services.changes import ANY, Change, ChangeListener
from registry_desk.storage.database import Database
from registry_desk.ui.bus import ChangeBus

COALESCE_MS = 250

# Audit topics → what the window's views call them ("case" refreshes the case list and open cases).
_BUS_TOPICS = {
    "case": "case",
    "certificate": "case",
    "payment": "case",
    "notice": "register",
    "claim": "claim",
}


def bus_topic(topic: str) -> str:
    return _BUS_TOPICS.get(topic, ANY)


class LiveUpdates(QObject):
    """Owned by the main window: `start()` when it opens, `stop()` when it closes."""

    arrived = Signal(str, str)  # topic, key — emitted on the listener's thread, delivered queued
    heard = Signal(str, str)  # the same, on the UI thread (the status bar may show it)

    def __init__(
        self,
        db: Database,
        bus: ChangeBus,
        parent: QObject | None = None,
        *,
        coalesce_ms: int = COALESCE_MS,
        listener_factory: Callable[[Database, Callable[[Change], None]], ChangeListener] = ChangeListener,
    ) -> None:
        super().__init__(parent)
        self.bus = bus
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._flush)
        self.arrived.connect(self._on_arrived)
        self.listener = listener_factory(db, self._from_listener)

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()
        self._timer.stop()

    def _from_listener(self, change: Change) -> None:
        # Runs on the listener's thread: touch nothing of the UI here, only hand the change over.
        self.arrived.emit(change.topic, change.key)

    def _on_arrived(self, topic: str, key: str) -> None:
        self._pending.add(bus_topic(topic))
        self.heard.emit(topic, key)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, set()
        if ANY in pending or len(pending) > 1:
            self.bus.notify(ANY)
        elif pending:
            self.bus.notify(pending.pop())
