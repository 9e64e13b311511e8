"""The case detail: which actions each role sees, reasons for closing a case, refusals shown in red."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.registration import queries
from registry_desk.kernel.context import Actor
from registry_desk.demo.demo_cases import DEMO_CLERK, seed_demo_cases
from registry_desk.demo.demo_data import load_demo
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.case_detail import CaseDetailDialog
from registry_desk.ui.tasks import TaskRunner

WEDNESDAY = date(2026, 3, 11)
CLERK = Actor(None, "clerk07", "受理员丁", Role.CLERK, window="2")
REGISTRAR = Actor(None, "reg07", "登簿员戊", Role.REGISTRAR)
CASHIER = Actor(None, "cash07", "收费员己", Role.CASHIER)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from tests.conftest import migrated_sqlite

    with migrated_sqlite(tmp_path_factory.mktemp("case-detail")) as db:
        load_demo(db)
        seed_demo_cases(db, None, today=WEDNESDAY)
        yield db


def _case(db, status: CaseStatus, *, business_type: str | None = None) -> str:
    rows = queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY, status=status)
    return next(r.case_number for r in rows if business_type in (None, r.business_type))


def _detail(qtbot, db, actor: Actor, number: str, tmp_path: Path) -> CaseDetailDialog:
    bus = ChangeBus()
    dialog = CaseDetailDialog(db, actor, Settings(tmp_path, db.url), number, TaskRunner(None, bus), bus)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_each_role_sees_only_its_actions(qtbot, seeded, tmp_path):
    in_review = _case(seeded, CaseStatus.IN_REVIEW, business_type="transfer")
    awaiting = _case(seeded, CaseStatus.AWAITING_PAYMENT)
    clerk = _detail(qtbot, seeded, CLERK, in_review, tmp_path)
    assert "record" not in clerk.visible_actions() and "refuse" not in clerk.visible_actions()
    assert set(clerk.visible_actions()) == {"withdraw", "print_receipt"}
    registrar = _detail(qtbot, seeded, REGISTRAR, in_review, tmp_path)
    assert {"record", "refuse", "withdraw"} <= set(registrar.visible_actions())
    assert "not_accept" not in registrar.visible_actions()
    cashier = _detail(qtbot, seeded, CASHIER, awaiting, tmp_path)
    assert cashier.visible_actions() == ["pay", "print_receipt"]
    clerk_waiting = _detail(qtbot, seeded, CLERK, awaiting, tmp_path)
    assert "pay" not in clerk_waiting.visible_actions()
    assert {"not_accept", "withdraw", "receive"} <= set(clerk_waiting.visible_actions())


def test_the_detail_shows_history_parties_materials_and_the_once_told_list(qtbot, seeded, tmp_path):
    awaiting = _case(seeded, CaseStatus.AWAITING_PAYMENT)
    detail = _detail(qtbot, seeded, CLERK, awaiting, tmp_path)
    assert detail.status_label.text() == "待缴费"
    assert detail.history_table.item(0, 2).text() == "受理"
    assert detail.parties_table.rowCount() >= 2
    assert "完税凭证" in detail.missing_label.text() and detail.missing_label.text().startswith("一次性告知")
    statuses = [detail.materials_table.item(r, 2).text() for r in range(detail.materials_table.rowCount())]
    assert "未提交" in statuses and "已收纸质件" in statuses


def test_refusing_asks_why_and_an_empty_reason_is_refused_inline(qtbot, seeded, tmp_path):
    number = _case(seeded, CaseStatus.IN_REVIEW, business_type="advance_notice")
    detail = _detail(qtbot, seeded, REGISTRAR, number, tmp_path)
    detail.ask_reason = lambda _parent, _title, _prompt: "   "
    detail.buttons["refuse"].click()
    qtbot.waitUntil(detail.error_label.isVisible, timeout=10_000)
    assert "须填写原因" in detail.error_label.text()
    assert queries.get_case(seeded, REGISTRAR, number).status is CaseStatus.IN_REVIEW
    detail.ask_reason = lambda _parent, _title, _prompt: "预售合同未备案"
    with qtbot.waitSignal(detail.bus.changed, timeout=10_000):
        detail.buttons["refuse"].click()
    qtbot.waitUntil(lambda: detail.summary.status is CaseStatus.REFUSED, timeout=10_000)
    assert detail.fact_labels["reason"].text() == "预售合同未备案"
    assert detail.visible_actions() == ["print_receipt"]
    assert not detail.error_label.isVisible()


def test_cancelled_confirmation_changes_nothing(qtbot, seeded, tmp_path):
    number = _case(seeded, CaseStatus.IN_REVIEW, business_type="mortgage_cancel")
    detail = _detail(qtbot, seeded, REGISTRAR, number, tmp_path)
    asked: list[str] = []
    detail.confirm = lambda _parent, _title, text: asked.append(text) and False
    detail.buttons["record"].click()
    assert "注销该抵押权" in asked[0] and number in asked[0]
    assert not detail.tasks.busy
    assert queries.get_case(seeded, REGISTRAR, number).status is CaseStatus.IN_REVIEW
