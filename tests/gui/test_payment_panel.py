"""The payment panel shows each side's QR with its amount and expiry, follows a (simulated) scan live through
the poll, lists the receipts once settled, and reissues an expired order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from registry_desk import config
from registry_desk.domain.cases import TransferTaxFacts
from registry_desk.domain.codes import CaseStatus
from registry_desk.registration import queries
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.payment_panel import PaymentPanel
from tests.integration.test_case_helpers import CLERK, WANG, ZHAO, build_register, transfer


@pytest.fixture
def counter(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/register.sqlite3")
    upgrade(db.engine)
    reg = build_register(db)
    settings = config.resolve(db.url, tmp_path / "data")
    request = replace(
        transfer(reg.plain, [WANG], [ZHAO], price="1050000"),
        tax=TransferTaxFacts(contract_date=date(2025, 12, 1), seller_years=1),
    )
    channel = payment_flow.channel_for(settings)
    done = payment_flow.accept_and_bill(db, CLERK, request, channel, now=utc_now())
    yield db, settings, channel, done.summary.case_number
    db.dispose()


def _panel(qtbot, counter) -> PaymentPanel:
    db, settings, channel, number = counter
    panel = PaymentPanel(db, CLERK, settings, number, channel, ChangeBus())
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_each_side_shows_its_qr_amount_and_expiry(qtbot, counter):
    panel = _panel(qtbot, counter)
    buyer, seller = panel.cards
    assert not buyer.qr_label.pixmap().isNull() and not seller.qr_label.pixmap().isNull()
    assert buyer.total_label.text() == "合计：10080.00 元"
    assert "契税：10000.00 元" in buyer.lines_label.text() and "登记费：80.00 元" in buyer.lines_label.text()
    assert "增值税" in seller.lines_label.text() and "有效期至" in seller.state_label.text()
    assert buyer.simulate_button.isVisibleTo(panel) and not buyer.reissue_button.isVisibleTo(panel)
    assert panel.timer.isActive()  # something is open: the panel polls


def test_the_panel_follows_the_scans_live_and_lists_the_receipts(qtbot, counter):
    db, _settings, _channel, number = counter
    panel = _panel(qtbot, counter)
    panel.cards[0].simulate_button.click()
    qtbot.waitUntil(lambda: panel.cards[0].side.order.status == "settled", timeout=20_000)
    assert "已缴清入库" in panel.cards[0].state_label.text()
    assert (
        queries.get_case(db, CLERK, number).status is CaseStatus.AWAITING_PAYMENT
    )  # the seller has not paid
    with qtbot.waitSignal(panel.bus.changed, timeout=20_000):
        panel.cards[1].simulate_button.click()
    qtbot.waitUntil(lambda: panel.payment is not None and panel.payment.paid, timeout=20_000)
    assert queries.get_case(db, CLERK, number).status is CaseStatus.IN_REVIEW
    qtbot.waitUntil(lambda: panel.receipts_table.rowCount() == 3 and not panel.tasks.busy, timeout=20_000)
    labels = sorted(panel.receipts_table.item(r, 0).text() for r in range(3))
    assert labels == sorted(["登记费电子票据", "电子完税凭证", "电子完税凭证"])
    assert not panel.timer.isActive()  # nothing open any more
    preview = panel.open_receipt(0)
    assert preview is not None and preview.windowTitle()


def test_an_expired_order_offers_reissue_and_gets_a_new_qr(qtbot, counter):
    panel = _panel(qtbot, counter)
    old = panel.cards[0].side.order.order_no
    panel.clock = lambda: utc_now() + timedelta(minutes=31)
    panel.show_payment(panel.payment)
    card = panel.cards[0]
    assert card.reissue_button.isVisibleTo(panel) and not card.simulate_button.isVisibleTo(panel)
    assert card.qr_label.pixmap().isNull() and "已过期" in card.state_label.text()
    card.reissue_button.click()
    qtbot.waitUntil(lambda: panel.cards and panel.cards[0].side.order.order_no != old, timeout=20_000)
    assert any(c.side.order.order_no != old for c in panel.cards)
