"""The statistics dashboard tab: a date range, QPainter bar and line charts, the per-type table and the overdue list.

QtCharts is not in pyside6-essentials (only in the large addons wheel), so the charts are drawn here with QPainter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.documents.dashboard_pdf import ACCOUNT_COLOURS, SERIES_COLOURS
from registry_desk.domain.errors import DomainError
from registry_desk.operations import dashboard as dashboard_service
from registry_desk.domain.clock import local_date
from registry_desk.kernel.context import utc_now

if TYPE_CHECKING:
    from registry_desk.kernel.context import Actor
    from registry_desk.operations.dashboard import Dashboard
    from registry_desk.storage.database import Database


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]
    colour: str


class BarChart(QWidget):
    """Stacked vertical bars (one stack per category) with an optional line drawn over them.

    Values are integers (counts, per mille, whole yuan): the chart needs no float input, and `value_text`
    turns an axis value back into what the reader sees.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.categories: tuple[str, ...] = ()
        self.bars: tuple[Series, ...] = ()
        self.line: Series | None = None
        self.bar_labels: tuple[str, ...] = ()
        self.value_text = str
        self.fixed_maximum: int | None = None  # e.g. 1000 per mille, so one type is not drawn as a full bar
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(self, categories, bars, line=None, *, bar_labels=(), value_text=str) -> None:
        self.categories = tuple(categories)
        self.bars = tuple(bars)
        self.line = line
        self.bar_labels = tuple(bar_labels)
        self.value_text = value_text
        self.update()

    def maximum(self) -> int:
        if self.fixed_maximum is not None:
            return self.fixed_maximum
        stacks = [sum(s.values[i] for s in self.bars) for i in range(len(self.categories))]
        line = list(self.line.values) if self.line else []
        return max([*stacks, *line, 1])

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(self.font())
        font.setPointSizeF(8)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        painter.setPen(QColor("#222222"))
        painter.drawText(
            QRectF(0, 2, self.width(), metrics.height() + 4), Qt.AlignmentFlag.AlignHCenter, self.title
        )
        legend = [*self.bars, *([self.line] if self.line else [])]
        legend_width = max([metrics.horizontalAdvance(s.label) + 22 for s in legend] + [0])
        left, top, bottom = 44, metrics.height() + 12, 34
        plot = QRectF(
            left, top, max(10, self.width() - left - legend_width - 16), max(10, self.height() - top - bottom)
        )
        top_value = self.maximum()
        # Axis and horizontal grid lines at five steps.
        painter.setPen(QPen(QColor("#c8d0d9"), 1))
        for step in range(6):
            y = plot.bottom() - plot.height() * step / 5
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            value = round(top_value * step / 5)
            painter.setPen(QColor("#555555"))
            painter.drawText(
                QRectF(0, y - 8, left - 4, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.value_text(value),
            )
            painter.setPen(QPen(QColor("#c8d0d9"), 1))
        n = len(self.categories)
        if n:
            slot = plot.width() / n
            width = max(1.0, slot * 0.7)
            label_every = max(1, n // 12)
            for i, name in enumerate(self.categories):
                x = plot.left() + slot * i + (slot - width) / 2
                base = plot.bottom()
                for series in self.bars:
                    height = plot.height() * series.values[i] / top_value
                    if height:
                        painter.fillRect(QRectF(x, base - height, width, height), QColor(series.colour))
                    base -= height
                if i < len(self.bar_labels) and self.bar_labels[i]:
                    painter.setPen(QColor("#222222"))
                    painter.drawText(
                        QRectF(x - slot / 2, base - 16, width + slot, 14),
                        Qt.AlignmentFlag.AlignHCenter,
                        self.bar_labels[i],
                    )
                if i % label_every == 0:
                    painter.setPen(QColor("#555555"))
                    painter.drawText(
                        QRectF(plot.left() + slot * i - 20, plot.bottom() + 4, slot + 40, 14),
                        Qt.AlignmentFlag.AlignHCenter,
                        name,
                    )
            if self.line:
                path = QPainterPath()
                for i, value in enumerate(self.line.values):
                    point = QPointF(
                        plot.left() + slot * (i + 0.5), plot.bottom() - plot.height() * value / top_value
                    )
                    path.lineTo(point) if i else path.moveTo(point)
                painter.setPen(QPen(QColor(self.line.colour), 2))
                painter.drawPath(path)
        # Legend on the right.
        y = top
        for series in legend:
            painter.fillRect(QRectF(plot.right() + 10, y + 3, 10, 10), QColor(series.colour))
            painter.setPen(QColor("#222222"))
            painter.drawText(QPointF(plot.right() + 24, y + 12), series.label)
            y += metrics.height() + 4
        painter.end()


class DashboardView(QWidget):
    """统计看板: pick a range, see the charts and tables, export the same figures as a PDF."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.dashboard: Dashboard | None = None
        self.setObjectName("dashboardView")
        today = local_date(utc_now())
        self.start = QDateEdit(self)
        self.start.setObjectName("dashboardFrom")
        self.end = QDateEdit(self)
        self.end.setObjectName("dashboardTo")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.set_range(today - timedelta(days=29), today)
        self.refresh_button = QPushButton(self.tr("统计"), self)
        self.refresh_button.setObjectName("dashboardRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("导出PDF…"), self)
        self.export_button.setObjectName("dashboardExport")
        self.export_button.clicked.connect(self._ask_export)
        self.summary = QLabel(self)
        self.summary.setObjectName("dashboardSummary")
        self.summary.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("dashboardMessage")
        self.message.setWordWrap(True)

        self.cases_chart = BarChart(self.tr("每日受理（按业务类型）与登簿办结"), self)
        self.cases_chart.setObjectName("dashboardCasesChart")
        self.compliance_chart = BarChart(self.tr("按时办结率"), self)
        self.compliance_chart.fixed_maximum = 1000  # per mille: the axis always ends at 100 %
        self.compliance_chart.setObjectName("dashboardComplianceChart")
        self.collections_chart = BarChart(self.tr("税费入库（元）"), self)
        self.collections_chart.setObjectName("dashboardCollectionsChart")
        self.kiosk_chart = BarChart(self.tr("自助终端每日打印"), self)
        self.kiosk_chart.setObjectName("dashboardKioskChart")

        self.types_table = self._table(
            "dashboardTypes",
            [
                self.tr("业务类型"),
                self.tr("受理"),
                self.tr("登簿办结"),
                self.tr("按时办结"),
                self.tr("按时办结率"),
                self.tr("受理至出证平均（小时）"),
            ],
        )
        self.overdue_table = self._table(
            "dashboardOverdue",
            [
                self.tr("业务号"),
                self.tr("业务类型"),
                self.tr("坐落"),
                self.tr("受理日"),
                self.tr("办结期限"),
                self.tr("状态"),
                self.tr("逾期天数"),
            ],
        )

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("从"), self))
        controls.addWidget(self.start)
        controls.addWidget(QLabel(self.tr("至"), self))
        controls.addWidget(self.end)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.export_button)
        controls.addStretch(1)
        charts = QGridLayout()
        charts.addWidget(self.cases_chart, 0, 0, 1, 2)
        charts.addWidget(self.compliance_chart, 1, 0)
        charts.addWidget(self.collections_chart, 1, 1)
        charts.addWidget(self.kiosk_chart, 2, 0, 1, 2)
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addLayout(charts)
        inner.addWidget(QLabel(self.tr("各业务类型"), body))
        inner.addWidget(self.types_table)
        inner.addWidget(QLabel(self.tr("逾期业务"), body))
        inner.addWidget(self.overdue_table)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumHeight(140)
        return table

    def set_range(self, start: date, end: date) -> None:
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def _range(self) -> tuple[date, date]:
        a, b = self.start.date(), self.end.date()
        return date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day())

    def refresh(self, *, today: date | None = None) -> Dashboard | None:
        """Reads the dashboard for the chosen range (a refusal is shown, never raised)."""
        start, end = self._range()
        try:
            board = dashboard_service.build_dashboard(
                self.db, self.actor, start, end, today=today or local_date(utc_now())
            )
        except DomainError as error:
            self.message.setText(str(error))
            return None
        self.message.clear()
        self.show_dashboard(board)
        return board

    def show_dashboard(self, board: Dashboard) -> None:
        self.dashboard = board
        percent = dashboard_service.percent
        self.summary.setText(
            self.tr(
                "受理 %1 件，登簿办结 %2 件，按时办结率 %3；入国库 %4 元，入财政专户 %5 元；自助打印证书 %6 本"
            )
            .replace("%1", str(board.accepted_total))
            .replace("%2", str(board.completed_total))
            .replace("%3", percent(board.compliance))
            .replace("%4", str(board.account_total("treasury")))
            .replace("%5", str(board.account_total("fiscal")))
            .replace("%6", str(board.kiosk_printed))
        )
        days = [f"{d:%m-%d}" for d in board.days]
        bars = [
            Series(t.label, board.accepted_per_day[t.business_type], SERIES_COLOURS[i % len(SERIES_COLOURS)])
            for i, t in enumerate(board.types)
            if t.business_type in board.accepted_per_day
        ]
        self.cases_chart.set_data(
            days, bars, Series(self.tr("登簿办结"), board.total_per_day("completed"), "#000000")
        )
        done = [t for t in board.types if t.completed]
        self.compliance_chart.set_data(
            [t.label for t in done],
            [Series(self.tr("按时办结率"), tuple(int(t.compliance * 1000) for t in done), "#3c8d40")],
            bar_labels=[percent(t.compliance) for t in done],
            value_text=lambda v: f"{v // 10}%",
        )
        totals = [board.account_total("treasury"), board.account_total("fiscal")]
        self.collections_chart.set_data(
            [self.tr("国库"), self.tr("财政专户")],
            [
                Series(self.tr("国库"), (totals[0].fen // 100, 0), ACCOUNT_COLOURS["treasury"]),
                Series(self.tr("财政专户"), (0, totals[1].fen // 100), ACCOUNT_COLOURS["fiscal"]),
            ],
            bar_labels=[str(t) for t in totals],
        )
        self.kiosk_chart.set_data(
            days, [], Series(self.tr("打印成功"), board.kiosk_printed_per_day, "#6b5b95")
        )

        self.types_table.setRowCount(len(board.types))
        for row, t in enumerate(board.types):
            average = "—" if t.average_hours_to_certificate is None else str(t.average_hours_to_certificate)
            for col, value in enumerate(
                [t.label, str(t.accepted), str(t.completed), str(t.on_time), percent(t.compliance), average]
            ):
                self.types_table.setItem(row, col, QTableWidgetItem(value))
        self.overdue_table.setRowCount(len(board.overdue))
        for row, o in enumerate(board.overdue):
            late = (board.as_of - o.due_date).days if o.finished_on is None else o.days_late
            for col, value in enumerate(
                [
                    o.case_number,
                    o.label,
                    o.location,
                    f"{o.accepted_on:%Y-%m-%d}",
                    f"{o.due_date:%Y-%m-%d}",
                    o.status.label,
                    str(late),
                ]
            ):
                item = QTableWidgetItem(value)
                if col == 6:
                    item.setForeground(QColor("#b42318"))
                self.overdue_table.setItem(row, col, item)

    def export_pdf(self, path: str) -> bool:
        """Writes the dashboard on screen as a PDF (the same figures as `registry-desk dashboard`)."""
        from registry_desk.documents.dashboard_pdf import render_dashboard_pdf

        board = self.dashboard or self.refresh()
        if board is None:
            return False
        try:
            pdf = render_dashboard_pdf(board)
        except DomainError as error:
            self.message.setText(str(error))
            return False
        with open(path, "wb") as handle:
            handle.write(pdf)
        self.message.setText(self.tr("已导出：%1").replace("%1", path))
        return True

    def _ask_export(self) -> None:
        start, end = self._range()
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("导出统计看板"),
            f"统计看板-{start:%Y%m%d}-{end:%Y%m%d}.pdf",
            self.tr("PDF 文件 (*.pdf)"),
        )
        if path:
            self.export_pdf(path)
