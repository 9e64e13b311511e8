"""The cashier's tab on a demo day paid through the channel: its models pass qtmodeltester, the totals per
account equal the settlement postings, the chart draws the collections, a refund shows up, and the day's
reconciliation (statement fetched from the local channel) reports no discrepancy with a PDF to open."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import func, select

from registry_desk import config
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.money import Money
from registry_desk.payments.channel import day_bounds
from registry_desk.storage.ledger.tables import LedgerEntry, LedgerPosting
from registry_desk.registration import queries
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import Actor
from registry_desk.demo.demo_cases import DEMO_CLERK, seed_demo_cases
from registry_desk.demo.demo_data import load_demo
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.cashier_view import CashierView
from registry_desk.ui.tasks import TaskRunner

WEDNESDAY = date(2026, 3, 11)
CASHIER = Actor(None, "cash09", "收费员庚", Role.CASHIER)


@pytest.fixture(scope="module")
def demo_day(tmp_path_factory):
    from tests.conftest import migrated_sqlite

    folder = tmp_path_factory.mktemp("cashier")
    settings = config.resolve(f"sqlite:///{folder}/register.sqlite3", folder / "data")
    with migrated_sqlite(folder) as db:
        load_demo(db)
        channel = payment_flow.channel_for(settings)
        seed_demo_cases(db, settings, today=WEDNESDAY, channel=channel)
        yield db, settings, channel


def _view(qtbot, demo_day) -> CashierView:
    db, settings, channel = demo_day
    bus = ChangeBus()
    view = CashierView(db, CASHIER, settings, TaskRunner(None, bus), bus, channel)
    qtbot.addWidget(view)
    view.date_edit.setDate(QDate(WEDNESDAY.year, WEDNESDAY.month, WEDNESDAY.day))
    view.show()
    return view


def test_models_pass_the_model_tester(qtbot, qtmodeltester, demo_day):
    view = _view(qtbot, demo_day)
    assert view.orders_model.rowCount() > 0
    for model in (view.orders_model, view.refunds_model, view.review_model):
        qtmodeltester.check(model, force_py=True)


def test_totals_per_account_come_from_the_postings_and_the_chart_draws_them(qtbot, demo_day):
    db = demo_day[0]
    view = _view(qtbot, demo_day)
    data = view.day_data
    start, end = day_bounds(WEDNESDAY)
    with db.unit_of_work(write=False) as uow:
        credited = {
            account: Money.of_fen(int(net))
            for account, net in uow.session.execute(
                select(LedgerPosting.account, func.sum(LedgerPosting.credit) - func.sum(LedgerPosting.debit))
                .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
                .where(
                    LedgerPosting.account.in_(["treasury", "fiscal"]),
                    LedgerEntry.posted_at >= start,
                    LedgerEntry.posted_at < end,
                )
                .group_by(LedgerPosting.account)
            )
        }
    # The day's net per account is what the postings of that day say, nothing computed beside them.
    assert (
        data.totals == credited
        and data.totals["fiscal"] > Money.zero()
        and data.totals["treasury"] > Money.zero()
    )
    assert f"国库 {data.totals['treasury']} 元" in view.totals_label.text()
    bars = view.chart.bars()
    assert {account for _, account, _ in bars} == {"treasury", "fiscal"}
    assert (
        sum((amount for _, _, amount in bars), Money.zero())
        == data.totals["treasury"] + data.totals["fiscal"]
    )
    assert not view.chart.grab().isNull()


def test_a_refund_of_the_refused_case_appears_and_the_day_reconciles(qtbot, demo_day):
    db, _settings, channel = demo_day
    view = _view(qtbot, demo_day)
    refused = [
        r.case_number for r in queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY, status=CaseStatus.REFUSED)
    ]
    holding = [n for n in refused if n in view.day_data.to_refund]
    if holding:
        from datetime import datetime, time

        from registry_desk.payments.channel import CHINA_TZ

        at = datetime.combine(WEDNESDAY, time(16, 0), CHINA_TZ)
        payment_flow.refund_closed_case(db, channel, CASHIER, holding[0], "驳回后退还已缴税费", now=at)
        view.refresh()
        assert view.refunds_model.rowCount() >= 1 and holding[0] not in view.day_data.to_refund
    with qtbot.waitSignal(view.reconciled, timeout=30_000) as signal:
        view.fetch_button.click()
    report = signal.args[0][0]
    assert report.ok and report.statement_rows > 0
    assert view.report_text.toPlainText().startswith("对账相符")
    assert view.progress.value() == view.progress.maximum()
    preview = view.open_report()
    assert preview is not None


def test_an_order_paid_with_the_wrong_amount_is_returned_from_the_review_tab(qtbot, sqlite_db, tmp_path):
    from datetime import timedelta

    from registry_desk.payments import orders, settlement
    from registry_desk.payments.channel import local_day
    from registry_desk.domain.clock import local_date
    from registry_desk.kernel.context import utc_now
    from registry_desk.payments.local_channel import LocalChannel
    from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote

    channel = LocalChannel(tmp_path / "channel")
    with sqlite_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        buyer, _seller = orders.create_orders(
            uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
        )
        uow.commit()
        order_no, payload = buyer.order_no, buyer.payload
    channel.pay(payload, NOW + timedelta(minutes=2), simulate_amount=Money.yuan("10079.99"))
    settlement.poll_open_orders(sqlite_db, channel, NOW + timedelta(minutes=3))

    settings = config.resolve(sqlite_db.url, tmp_path / "data")
    view = CashierView(sqlite_db, CASHIER, settings, TaskRunner(None, ChangeBus()), None, channel)
    qtbot.addWidget(view)
    day = local_day(NOW)
    view.date_edit.setDate(QDate(day.year, day.month, day.day))
    view.show()
    orders_under_review = [
        r for r in range(view.review_model.rowCount()) if view.day_data.review[r]["kind"] == "order"
    ]
    assert orders_under_review, "the short payment is listed for review"
    assert not view.return_button.isEnabled()  # nothing selected yet

    asked: list[str] = []
    view.ask_reason = lambda _parent, _title, prompt: asked.append(prompt) or "银行少收一分，退回重缴"
    view.review_view.selectRow(orders_under_review[0])
    assert view.return_button.isEnabled()
    view.return_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=10_000)
    assert order_no in asked[0]
    assert view.error_label.isHidden(), view.error_label.text()
    assert view.review_model.rowCount() == 0  # resolved: nothing left for a person
    # Returned today (the real clock): the day's refunds list shows it.
    today = local_date(utc_now())
    view.date_edit.setDate(QDate(today.year, today.month, today.day))
    assert any(row[0] == f"RV{order_no}" and row[2] == order_no for row in view.refunds_model.rows)
