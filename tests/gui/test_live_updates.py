"""Windows on one database see each other: a case accepted elsewhere refreshes this window's views within
moments (NOTIFY on PostgreSQL, polling on SQLite), on the UI thread; a case someone else has open says so in
the list and the detail; and a 发证 from a screen someone else has since changed is refused, not applied."""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.registration import certificates, intake, payment_status, queries, recording
from registry_desk.registration import claims
from registry_desk.registration.changes import Change
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Case, Certificate
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.case_detail import CaseDetailDialog
from registry_desk.ui.case_list import CaseListModel, CaseListView
from registry_desk.ui.live import LiveUpdates
from registry_desk.ui.tasks import TaskRunner
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR, WANG, ZHAO, transfer

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

SECOND_CLERK = Actor(user_id=None, username="clerk02", display_name="受理员丁", role=Role.CLERK, window="5")
PATIENCE_MS = 10_000  # a bound against hanging, not the promise (that is about one second)


def test_a_case_accepted_at_another_window_refreshes_this_window_on_its_ui_thread(qtbot, any_register):
    db, reg = any_register
    this_window = Database(db.url)
    bus = ChangeBus()
    live = LiveUpdates(this_window, bus)
    threads: list[bool] = []
    bus.changed.connect(
        lambda _what: threads.append(QThread.currentThread() is QApplication.instance().thread())
    )
    live.start()
    try:
        assert live.listener.ready.wait(PATIENCE_MS / 1000)
        with (
            qtbot.waitSignal(
                live.heard, timeout=PATIENCE_MS, check_params_cb=lambda t, k: t == "case"
            ) as heard,
            qtbot.waitSignal(bus.changed, timeout=PATIENCE_MS, check_params_cb=lambda w: w == "case"),
        ):
            number = intake.accept_case(
                db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY
            ).case_number
        assert heard.args == ["case", number]
        assert threads and all(threads)
    finally:
        live.stop()
        this_window.dispose()


class _ManualListener:
    """Stands in for the database listener: the test calls it from a thread of its own."""

    def __init__(self, _db, on_change) -> None:
        self.on_change = on_change

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def test_a_burst_from_one_recording_is_one_refresh(qtbot, sqlite_db):
    bus = ChangeBus()
    live = LiveUpdates(sqlite_db, bus, coalesce_ms=200, listener_factory=_ManualListener)
    seen: list[str] = []
    bus.changed.connect(seen.append)

    def burst() -> None:
        for key in ("202603020001", "202603020001", "宁(2026)中卫市不动产权第0000001号"):
            live.listener.on_change(Change("case", key))
        live.listener.on_change(Change("certificate", "宁(2026)中卫市不动产权第0000001号"))

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen), timeout=PATIENCE_MS)
    qtbot.wait(400)
    assert seen == ["case"]

    live.listener.on_change(Change("claim", "202603020001"))
    live.listener.on_change(Change("notice", "12"))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=PATIENCE_MS)
    assert seen[1] == "*"  # different kinds together: every view refreshes once


def test_the_case_list_shows_who_has_a_case_open_elsewhere(qtbot, sqlite_register):
    db, reg = sqlite_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    view = CaseListView(lambda: queries.list_cases(db, CLERK, today=date(2026, 3, 2)))
    view.claims_loader = lambda: {
        n: c.label for n, c in claims.active_claims(db).items() if not c.is_held_by(CLERK)
    }
    qtbot.addWidget(view)
    view.refresh()
    status = view.model.index(0, CaseListModel.COL_STATUS)
    assert view.model.data(status) == "待缴费"

    claims.claim(db, SECOND_CLERK, number)
    view.refresh()
    assert view.model.data(status) == "待缴费 · 由 受理员丁（5号窗口）处理中"

    claims.release(db, SECOND_CLERK, number)
    view.refresh()
    assert view.model.data(status) == "待缴费"


def test_the_detail_says_who_else_has_it_and_refuses_a_hand_over_from_an_old_screen(
    qtbot, sqlite_register, tmp_path
):
    db, reg = sqlite_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    recording.record_case(db, REGISTRAR, number, now=MONDAY)
    certificates.mark_certificate_ready(db, REGISTRAR, number, now=MONDAY)
    claims.claim(db, SECOND_CLERK, number)

    bus = ChangeBus()
    detail = CaseDetailDialog(db, CLERK, Settings(tmp_path, db.url), number, TaskRunner(None, bus), bus)
    qtbot.addWidget(detail)
    detail.show()
    assert detail.claim_label.isVisible()
    assert detail.claim_label.text() == "由 受理员丁（5号窗口）处理中"

    # Window 5 hands the certificate over while this screen still shows 已缮证.
    certificates.issue_certificate(db, SECOND_CLERK, number, "赵敏")
    detail.ask_receiver = lambda _parent, _title, _prompt: "赵敏"
    detail.buttons["issue"].click()
    qtbot.waitUntil(detail.error_label.isVisible, timeout=PATIENCE_MS)
    assert f"业务 {number} 已被 clerk02 于" in detail.error_label.text()
    assert "请刷新后重试" in detail.error_label.text()
    # Window 5's hand-over stands; this window's was not applied over it.
    with db.unit_of_work(write=False) as uow:
        handed = (
            uow.session.execute(
                select(Certificate.handed_over_by)
                .join(Case, Case.id == Certificate.case_id)
                .where(Case.case_number == number)
            )
            .scalars()
            .all()
        )
    assert handed == ["clerk02"]
    detail.reload()  # what the live update does when window 5's change arrives
    assert detail.summary.status is CaseStatus.ISSUED
