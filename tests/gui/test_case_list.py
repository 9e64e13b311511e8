"""The case list on the demo cases: due-date colours, the status filter, Enter opens the detail, the 30 s refresh."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from registry_desk.domain.cases import DUE_OVERDUE, DUE_TODAY
from registry_desk.domain.codes import CaseStatus
from registry_desk.registration import queries
from registry_desk.demo.demo_cases import DEMO_CLERK, seed_demo_cases
from registry_desk.demo.demo_data import load_demo
from registry_desk.ui.case_list import (
    DUE_TODAY_BACKGROUND,
    DUE_TODAY_COLOR,
    OVERDUE_BACKGROUND,
    OVERDUE_COLOR,
    REFRESH_INTERVAL_MS,
    CaseListModel,
    CaseListView,
)

WEDNESDAY = date(2026, 3, 11)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from tests.conftest import migrated_sqlite

    with migrated_sqlite(tmp_path_factory.mktemp("case-list")) as db:
        load_demo(db)
        seed_demo_cases(db, None, today=WEDNESDAY)
        yield db


@pytest.fixture
def view(qtbot, seeded) -> CaseListView:
    view = CaseListView(loader=lambda: queries.list_cases(seeded, DEMO_CLERK, today=WEDNESDAY))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    return view


def _row_of(model: CaseListModel, state: str) -> int:
    return next(r for r in range(model.rowCount()) if model.case(r).due_state == state)


def test_columns_and_model(qtmodeltester, view: CaseListView):
    qtmodeltester.check(view.model)
    assert view.model.headers == (
        "业务号",
        "类型",
        "单元/坐落",
        "申请人",
        "状态",
        "受理时间",
        "办结时限",
        "用时",
    )


def test_overdue_rows_are_red_and_due_today_amber(view: CaseListView):
    model = view.model
    overdue = _row_of(model, DUE_OVERDUE)
    today = _row_of(model, DUE_TODAY)
    for column in range(model.columnCount()):
        assert model.data(model.index(overdue, column), Qt.ItemDataRole.ForegroundRole) == OVERDUE_COLOR
        assert model.data(model.index(overdue, column), Qt.ItemDataRole.BackgroundRole) == OVERDUE_BACKGROUND
        assert model.data(model.index(today, column), Qt.ItemDataRole.ForegroundRole) == DUE_TODAY_COLOR
        assert model.data(model.index(today, column), Qt.ItemDataRole.BackgroundRole) == DUE_TODAY_BACKGROUND
    assert model.column_text(6)[overdue].endswith("（已超期）")
    assert model.column_text(6)[today] == f"{WEDNESDAY.isoformat()}（今日到期）"
    finished = next(r for r in range(model.rowCount()) if model.case(r).status is CaseStatus.ISSUED)
    assert model.data(model.index(finished, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert model.column_text(7)[finished].endswith("个工作日")
    assert "已超期 1 件" in view.count_label.text()


def test_filter_by_status_open_and_overdue(view: CaseListView):
    total = view.model.rowCount()
    view.set_filter(CaseStatus.AWAITING_PAYMENT.value)
    shown = view.shown_case_numbers()
    assert shown and all(
        view.model.case(view.model.column_text(0).index(n)).status is CaseStatus.AWAITING_PAYMENT
        for n in shown
    )
    view.set_filter("overdue")
    assert len(view.shown_case_numbers()) == 1
    view.set_filter("open")
    assert 1 < len(view.shown_case_numbers()) < total
    view.set_filter("all")
    assert len(view.shown_case_numbers()) == total


def test_enter_on_a_row_opens_that_case(qtbot, view: CaseListView):
    number = view.model.case(3).case_number
    assert view.select_case(number)
    view.table.setFocus()
    with qtbot.waitSignal(view.case_activated, timeout=2000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [number]


def test_refreshes_on_a_timer_and_keeps_the_selection(qtbot, seeded):
    calls: list[int] = []

    def loader():
        calls.append(1)
        return queries.list_cases(seeded, DEMO_CLERK, today=WEDNESDAY)

    view = CaseListView(loader=loader)
    qtbot.addWidget(view)
    view.refresh()
    number = view.model.case(2).case_number
    view.select_case(number)
    view.start_auto_refresh(20)
    qtbot.waitUntil(lambda: len(calls) >= 3, timeout=3000)
    view.timer.stop()
    assert view.selected_case() == number
    assert REFRESH_INTERVAL_MS == 30_000
