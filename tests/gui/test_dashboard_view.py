"""The dashboard tab: the chosen range fills the charts and tables with the service's figures, the charts are
really painted, a reversed range is shown as a message, and the PDF export writes the same figures."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor

from registry_desk.documents.dashboard_pdf import SERIES_COLOURS
from registry_desk.documents.verification import document_text
from registry_desk.operations.dashboard import build_dashboard
from registry_desk.ui.dashboard_view import DashboardView
from tests.integration.test_case_helpers import CLERK
from tests.integration.test_dashboard import MARCH, week  # noqa: F401  (the worked week, a module fixture)

END_OF_MARCH = date(2026, 3, 31)


def _colour_present(widget, colour: str) -> bool:
    image = widget.grab().toImage()
    wanted = QColor(colour).rgb()
    return any(
        image.pixel(x, y) == wanted for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
    )


def test_the_range_fills_the_tables_and_charts(qtbot, week):  # noqa: F811
    db, _resale, cancel, still_open = week
    view = DashboardView(db, CLERK)
    qtbot.addWidget(view)
    view.resize(1100, 900)
    view.set_range(*MARCH)
    board = view.refresh(today=END_OF_MARCH)
    assert board == build_dashboard(db, CLERK, *MARCH, today=END_OF_MARCH)
    assert "受理 3 件" in view.summary.text() and "按时办结率 50.0%" in view.summary.text()
    assert "73000.00" in view.summary.text()
    labels = [view.types_table.item(r, 0).text() for r in range(view.types_table.rowCount())]
    assert labels == [t.label for t in board.types]
    overdue = {view.overdue_table.item(r, 0).text() for r in range(view.overdue_table.rowCount())}
    assert overdue == {cancel, still_open}
    monday = board.days.index(date(2026, 3, 2))
    assert sum(s.values[monday] for s in view.cases_chart.bars) == 3
    assert view.cases_chart.line.values == board.total_per_day("completed")
    assert view.compliance_chart.bar_labels == ("100.0%", "0.0%")
    assert view.collections_chart.bar_labels == ("73000.00", "80.00")
    view.show()
    qtbot.waitExposed(view)
    assert _colour_present(view.cases_chart, SERIES_COLOURS[0]), "the transfer bars are painted"
    assert _colour_present(view.compliance_chart, "#3c8d40")


def test_a_reversed_range_is_told_not_raised(qtbot, week):  # noqa: F811
    db, *_ = week
    view = DashboardView(db, CLERK)
    qtbot.addWidget(view)
    view.set_range(date(2026, 3, 31), date(2026, 3, 1))
    assert view.refresh(today=END_OF_MARCH) is None
    assert "早于开始日" in view.message.text()


def test_export_writes_the_pdf_of_what_is_shown(qtbot, week, tmp_path):  # noqa: F811
    db, _resale, cancel, _still_open = week
    view = DashboardView(db, CLERK)
    qtbot.addWidget(view)
    view.set_range(*MARCH)
    view.refresh(today=END_OF_MARCH)
    out = tmp_path / "看板.pdf"
    assert view.export_pdf(str(out))
    text = document_text(out.read_bytes())
    assert "按时办结率 50.0%" in text and cancel in text
    assert str(out) in view.message.text()
