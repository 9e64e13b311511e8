"""Background work: it runs off the UI thread, its result comes back on it, and refusals become warnings."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox

from registry_desk.domain.errors import ConflictError
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.tasks import TaskRunner


def test_work_runs_off_the_ui_thread_and_the_result_arrives_on_it(qtbot):
    bus = ChangeBus()
    runner = TaskRunner(bus=bus)
    ui_thread = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> str:
        seen["work_thread"] = threading.get_ident()
        return "已打印"

    def done(result: str) -> None:
        seen["result"] = result
        seen["callback_thread"] = threading.get_ident()

    with qtbot.waitSignal(bus.changed, timeout=5000) as changed:
        runner.run(work, done, changed="case")
    assert changed.args == ["case"]
    assert seen["result"] == "已打印"
    assert seen["work_thread"] != ui_thread
    assert seen["callback_thread"] == ui_thread
    assert not runner.busy


def test_a_refusal_from_the_work_is_shown_as_a_warning_and_nothing_is_announced(qtbot, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text)))
    bus = ChangeBus()
    announced: list[str] = []
    bus.changed.connect(announced.append)
    runner = TaskRunner(bus=bus)

    def work() -> None:
        raise ConflictError("业务件已被他人修改，请刷新后重试", rule="并发修改", record="202603020001")

    runner.run(work, lambda _r: pytest.fail("no success callback after a refusal"), changed="case")
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert warnings == ["业务件已被他人修改，请刷新后重试（依据：并发修改）［记录：202603020001］"]
    assert announced == []


def test_on_failure_receives_the_error_instead(qtbot):
    runner = TaskRunner()
    failures: list[BaseException] = []
    runner.run(lambda: 1 / 0, lambda _r: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], ZeroDivisionError)
