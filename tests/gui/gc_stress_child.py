"""Run by tests/gui/test_gc_stress.py in its own interpreter (`python -X faulthandler`), so that a crash is
one failed test with its C-level trace rather than the end of the whole suite.

Many background jobs start and finish while the UI thread collects garbage all the time (a low threshold
and an explicit `gc.collect()` every round); the widgets that own the jobs are opened and deleted while
their jobs are still running; the bus announces changes; a plain thread posts to the UI thread the way the
change listener and the database opener do. Prints one JSON line with what happened.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from registry_desk.domain.errors import ConflictError
from registry_desk.ui import tasks
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.tasks import TaskRunner


def main(rounds: int) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    ui_thread = threading.get_ident()
    gc.set_threshold(1, 1, 1)
    bus = ChangeBus()
    announced: list[str] = []
    bus.changed.connect(announced.append)
    seen = {"succeeded": 0, "refused": 0, "posted": 0, "late_to_a_deleted_widget": 0, "off_ui_thread": 0}
    live: list[tuple[QWidget, TaskRunner]] = []
    runners: list[TaskRunner] = []

    def on_ui(widget: QWidget) -> None:
        if threading.get_ident() != ui_thread:
            seen["off_ui_thread"] += 1
        if not shiboken6.isValid(widget):
            seen["late_to_a_deleted_widget"] += 1

    def allocate(i: int) -> int:
        junk = [{"round": i, "items": [object() for _ in range(20)]} for _ in range(20)]
        return len(junk) + i

    def refuse() -> None:
        raise ConflictError("业务件已被他人修改，请刷新后重试", rule="并发修改", record="202603020001")

    def poster() -> None:
        for _ in range(rounds):
            tasks.post(lambda: seen.__setitem__("posted", seen["posted"] + 1))
            time.sleep(0.0005)

    started = time.monotonic()
    posting = threading.Thread(target=poster, name="stress-poster")
    tasks.dispatcher()
    posting.start()
    for i in range(rounds):
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(QLabel(f"业务件 {i}", widget))
        layout.addWidget(QLineEdit(widget))
        runner = TaskRunner(widget, bus)
        widget.keep = (widget, runner)  # type: ignore[attr-defined]  # a cycle: only the collector frees it

        def succeeded(_result: int, widget: QWidget = widget) -> None:
            on_ui(widget)
            seen["succeeded"] += 1

        def refused(_error: BaseException, widget: QWidget = widget) -> None:
            on_ui(widget)
            seen["refused"] += 1

        runner.run(lambda i=i: allocate(i), succeeded, changed="case")
        runner.run(lambda i=i: allocate(i), succeeded)
        runner.run(refuse, lambda _r: None, refused)
        runners.append(runner)
        if i % 10 == 0:
            # Closed at once, while a slow job is still out: its result must be dropped, not delivered.
            runner.run(lambda: time.sleep(0.005), succeeded)
            shiboken6.delete(widget)
            gc.collect()
            QCoreApplication.processEvents()
            continue
        live.append((widget, runner))
        if len(live) > 6:
            old, _ = live.pop(0)
            old.deleteLater()  # its jobs may still be running: their callbacks must be dropped
        gc.collect()
        QCoreApplication.processEvents()
    deadline = time.monotonic() + 60
    while (any(r.busy for r in runners) or posting.is_alive()) and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        gc.collect()
    posting.join(5)
    QCoreApplication.processEvents()
    for widget, _ in live:
        widget.deleteLater()
    QCoreApplication.processEvents()
    gc.collect()
    print(
        json.dumps(
            {
                **seen,
                "rounds": rounds,
                "closed_at_once": len(range(0, rounds, 10)),
                "still_busy": sum(r.busy for r in runners),
                "announced": len(announced),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500))
