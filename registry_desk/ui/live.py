"""Live updates for a window: what other windows commit reaches this window's ChangeBus, on the UI thread.

The ChangeListener (registration/changes.py) calls back on its own thread; each change is posted to the UI
thread (ui/tasks.post: no Qt object is touched from the listener's thread, and a change arriving after
`stop()` or after the window was deleted is dropped), where a short single-shot timer gathers a burst (a recording announces several events)
into one refresh per topic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from functools import partial

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from registry_desk.registration.changes import ANY, Change, ChangeListener
from registry_desk.ui import tasks
from registry_desk.ui.bus import ChangeBus

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

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
        self._stopped = False
        tasks.dispatcher()  # created on the UI thread before the listener posts to it
        self.listener = listener_factory(db, self._from_listener)

    def start(self) -> None:
        self._stopped = False
        self.listener.start()

    def stop(self) -> None:
        self._stopped = True
        self.listener.stop()
        self._timer.stop()

    def _from_listener(self, change: Change) -> None:
        # Runs on the listener's thread: touch nothing of the UI here, only hand the change over.
        tasks.post(partial(self._on_arrived, change.topic, change.key))

    def _on_arrived(self, topic: str, key: str) -> None:
        if self._stopped or not shiboken6.isValid(self):
            return
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
