"""Runs slow work (printing, recording, polling) off the UI thread and calls back on the UI thread.

How work crosses threads, and who owns what (the cause of the crashes this replaces: a Python `QRunnable`
the pool deleted while Python still held it, and Python objects carried through queued signals, whose
reference counts were touched on a worker thread while the collector ran on the UI thread):

- Work runs on a plain Python thread pool (`concurrent.futures`). No Qt object is created for a job.
- A worker never hands a Python object to Qt. It puts a callable into a Python queue (`post`) and emits
  `wake`, a signal without arguments, on one dispatcher created on the UI thread and kept for the life
  of the process. The dispatcher drains the queue on the UI thread.
- Results, errors and callbacks are therefore only ever referenced by Python, under the GIL, and the
  callbacks run on the UI thread. A callback whose widget has been closed and deleted is dropped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QWidget

from registry_desk.domain.errors import DomainError
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.dialogs import show_domain_error

WORKERS = 4


class _Dispatcher(QObject):
    """The one object workers signal. It lives on the UI thread and is never deleted while workers run."""

    wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._woken = threading.Event()
        self.wake.connect(self._drain)

    def post(self, callback: Callable[[], None]) -> None:
        """Any thread: `callback` runs on the UI thread soon after. Wakes are coalesced."""
        self._queue.put(callback)
        if not self._woken.is_set():
            self._woken.set()
            self.wake.emit()

    @Slot()
    def _drain(self) -> None:
        self._woken.clear()
        while True:
            try:
                callback = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                callback()
            except BaseException:
                # The rest still runs on the next turn of the event loop; this error goes to the crash handler.
                if not self._queue.empty():
                    self._woken.set()
                    self.wake.emit()
                raise


_lock = threading.Lock()
_dispatcher: _Dispatcher | None = None
_executor: ThreadPoolExecutor | None = None
_outstanding: set[Future[Any]] = set()


def _on_ui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def dispatcher() -> _Dispatcher:
    """The process's dispatcher, created on first use, which must be on the UI thread."""
    global _dispatcher
    with _lock:
        if _dispatcher is None or not shiboken6.isValid(_dispatcher):
            if not _on_ui_thread():
                raise RuntimeError("the UI dispatcher must be created on the UI thread")
            _dispatcher = _Dispatcher()
        return _dispatcher


def post(callback: Callable[[], None]) -> None:
    """Any thread: run `callback` on the UI thread. The dispatcher must already exist (see `dispatcher()`)."""
    target = _dispatcher
    if target is None:
        raise RuntimeError("no UI dispatcher: create one on the UI thread first")
    target.post(callback)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="registry-desk-task")
        return _executor


def submit(work: Callable[[], Any]) -> Future[Any]:
    future = _pool().submit(work)
    with _lock:
        _outstanding.add(future)
    future.add_done_callback(_forget)
    return future


def _forget(future: Future[Any]) -> None:
    with _lock:
        _outstanding.discard(future)


def wait_for_all(seconds: float = 30.0) -> bool:
    """Blocks until every submitted job has run (shutdown: finish a recording before the database closes)."""
    with _lock:
        running = set(_outstanding)
    _done, not_done = wait_futures(running, timeout=seconds)
    return not not_done


class TaskRunner:
    """`run(work, on_success)` calls `work()` off the UI thread, then `on_success(result)` on it.

    `work` must not touch widgets. A DomainError from it is shown as a warning (or passed to `on_failure`);
    any other exception is re-raised on the UI thread, where the crash handler reports it. With
    `changed=...` the bus announces the change after `on_success`, so every view refreshes. If the
    runner's parent widget has been deleted by then, the callbacks are dropped (nobody is left to show them)."""

    def __init__(self, parent: QWidget | None = None, bus: ChangeBus | None = None) -> None:
        self._parent = parent
        self._bus = bus
        self._dispatcher = dispatcher()  # created here, on the UI thread, before any worker needs it
        self._pending: set[object] = set()
        self._futures: set[Future[Any]] = set()

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
        target = self._dispatcher

        token = object()  # what `busy` counts: set here, cleared on delivery, both on the UI thread
        deliver = partial(self._deliver, token, on_success=on_success, on_failure=on_failure, changed=changed)

        def job() -> None:
            try:
                result = work()
            except BaseException as error:  # noqa: BLE001 - handed to the UI thread, which decides
                target.post(partial(deliver, None, error))
                return
            target.post(partial(deliver, result, None))

        self._pending.add(token)
        self._futures.add(submit(job))
        self._futures = {f for f in self._futures if not f.done()}

    def _deliver(
        self,
        token: object,
        result: Any,
        error: BaseException | None,
        *,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None,
        changed: str | None,
    ) -> None:
        self._pending.discard(token)
        if self._parent is not None and not shiboken6.isValid(self._parent):
            if error is not None and not isinstance(error, DomainError):
                raise error  # a fault is still reported, even with nobody left to show a refusal to
            return
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

    def wait(self, msecs: int = 30_000) -> bool:
        """Blocks until this runner's work has run (callbacks still need the event loop)."""
        _done, not_done = wait_futures(set(self._futures), timeout=msecs / 1000)
        return not not_done
