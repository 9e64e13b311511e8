"""Runs slow work (printing, recording) on a thread pool and calls back on the UI thread (Anki's pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from registry_desk.domain.errors import DomainError
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.dialogs import show_domain_error


class _Relay(QObject):
    """Created on the UI thread, so a signal the worker emits on it is queued to the UI thread."""

    done = Signal(object, object)  # result, error

    def __init__(self, deliver: Callable[[Any, BaseException | None], None]) -> None:
        super().__init__()
        self._deliver = deliver
        self.done.connect(self._on_done)

    @Slot(object, object)
    def _on_done(self, result: Any, error: BaseException | None) -> None:
        self._deliver(result, error)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread, which decides
            self._relay.done.emit(None, error)
            return
        self._relay.done.emit(result, None)


class TaskRunner:
    """`run(work, on_success)` calls `work()` off the UI thread, then `on_success(result)` on it.

    `work` must not touch widgets. A DomainError from it is shown as a warning (or passed to `on_failure`);
    any other exception is re-raised on the UI thread, where the crash handler reports it. With
    `changed=...` the bus announces the change after `on_success`, so every view refreshes."""

    def __init__(
        self, parent: QWidget | None = None, bus: ChangeBus | None = None, pool: QThreadPool | None = None
    ) -> None:
        self._parent = parent
        self._bus = bus
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Relay] = set()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        changed: str | None = None,
    ) -> None:
        relay: _Relay

        def deliver(result: Any, error: BaseException | None) -> None:
            self._pending.discard(relay)
            relay.deleteLater()
            if error is None:
                on_success(result)
                if changed is not None and self._bus is not None:
                    self._bus.notify(changed)
            elif on_failure is not None:
                on_failure(error)
            elif isinstance(error, DomainError):
                show_domain_error(self._parent, error)
            else:
                raise error

        relay = _Relay(deliver)
        # Kept referenced until delivery: a relay collected early would drop the result silently.
        self._pending.add(relay)
        self._pool.start(_Job(work, relay))

    def wait(self, msecs: int = 30_000) -> bool:
        """Blocks until queued work has run (used on shutdown; callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)
