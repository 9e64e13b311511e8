"""The case list (业务列表): cases accepted at the counter with their status and statutory due date."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.cases import DUE_OVERDUE, DUE_TODAY, CaseRow
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import DomainError
from registry_desk.ui.models import RESTRICTION_COLOR, RowTableModel

OVERDUE_COLOR = RESTRICTION_COLOR  # red: past the promised working days and still open
OVERDUE_BACKGROUND = QColor("#fde7e5")
DUE_TODAY_COLOR = QColor("#7d4e00")  # amber: must be finished before the counter closes
DUE_TODAY_BACKGROUND = QColor("#fff3cd")
REFRESH_INTERVAL_MS = 30_000

# Filter keys besides the statuses themselves.
FILTER_ALL = "all"
FILTER_OPEN = "open"
FILTER_OVERDUE = "overdue"


class CaseListModel(RowTableModel):
    """Columns 业务号, 类型, 单元/坐落, 申请人, 状态, 受理时间, 办结时限, 用时; rows are the services' CaseRow.
    An open case past its due date is red, one due today amber (foreground and background)."""

    COL_NUMBER, COL_TYPE, COL_UNIT, COL_APPLICANTS, COL_STATUS, COL_ACCEPTED, COL_DUE, COL_TAKEN = range(8)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = (
            self.tr("业务号"),
            self.tr("类型"),
            self.tr("单元/坐落"),
            self.tr("申请人"),
            self.tr("状态"),
            self.tr("受理时间"),
            self.tr("办结时限"),
            self.tr("用时"),
        )
        self.claims: dict[str, str] = {}

    def case(self, row: int) -> CaseRow:
        item: CaseRow = self.row_item(row)
        return item

    def set_claims(self, labels: Mapping[str, str]) -> None:
        """“由 张三（3号窗口）处理中” by case number, shown after the status (registration/claims.py)."""
        self.claims = dict(labels)
        if self.rowCount():
            column = self.COL_STATUS
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    def _due_text(self, item: CaseRow) -> str:
        due = item.due_date.isoformat()
        if item.due_state == DUE_OVERDUE:
            return self.tr("{date}（已超期）").format(date=due)
        if item.due_state == DUE_TODAY:
            return self.tr("{date}（今日到期）").format(date=due)
        return due

    def _taken_text(self, item: CaseRow) -> str:
        if item.working_days_taken is None:
            return ""
        text = self.tr("{n}个工作日").format(n=item.working_days_taken)
        if item.finished_late:
            text += self.tr("（超期办结）")
        return text

    def _text(self, item: CaseRow, column: int) -> str:
        values = (
            item.case_number,
            item.business_label,
            f"{item.location}\n{item.unit_number}",
            # A debtor who is also the mortgagor is listed once.
            "、".join(dict.fromkeys(item.applicants.split("、"))),
            " · ".join(filter(None, (item.status_text, self.claims.get(item.case_number, "")))),
            item.accepted_on.isoformat(),
            self._due_text(item),
            self._taken_text(item),
        )
        return values[column]

    def cell(self, item: CaseRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(item, column)
            # The location is what the clerk recognises; the unit number is in the tooltip.
            return text.split("\n")[0] if column == self.COL_UNIT else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.UserRole:
            return item.case_number
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.due_state == DUE_OVERDUE:
                return OVERDUE_COLOR
            if item.due_state == DUE_TODAY:
                return DUE_TODAY_COLOR
        if role == Qt.ItemDataRole.BackgroundRole:
            if item.due_state == DUE_OVERDUE:
                return OVERDUE_BACKGROUND
            if item.due_state == DUE_TODAY:
                return DUE_TODAY_BACKGROUND
        return None


class CaseFilter(QSortFilterProxyModel):
    """Filters the list by a status, by "在办" (open) or by "已超期"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._key = FILTER_ALL

    def set_key(self, key: str) -> None:
        self.beginFilterChange()
        self._key = key
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._key == FILTER_ALL:
            return True
        model = self.sourceModel()
        assert isinstance(model, CaseListModel)
        item = model.case(source_row)
        if self._key == FILTER_OPEN:
            return item.status.is_open
        if self._key == FILTER_OVERDUE:
            return item.due_state == DUE_OVERDUE
        return item.status.value == self._key


class CaseListView(QWidget):
    """The 业务列表 tab. `loader` (the case services' list_cases) returns the rows; `refresh()` re-reads them
    whenever the change bus says something changed, and `start_auto_refresh()` every 30 seconds too, so a
    case paid at the cashier's window shows here without a click."""

    case_activated = Signal(str)  # case number

    def __init__(
        self, loader: Callable[[], Sequence[CaseRow]] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.loader = loader
        # Who has which case open in another window; the main window sets it (it knows the actor).
        self.claims_loader: Callable[[], Mapping[str, str]] | None = None
        self.model = CaseListModel(self)
        self.proxy = CaseFilter(self)
        self.proxy.setSourceModel(self.model)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(self.tr("全部业务"), FILTER_ALL)
        self.status_filter.addItem(self.tr("在办"), FILTER_OPEN)
        self.status_filter.addItem(self.tr("已超期"), FILTER_OVERDUE)
        for status in CaseStatus:
            if status is not CaseStatus.ACCEPTED:  # a passing state: a case never rests in it
                self.status_filter.addItem(status.label, status.value)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("hint")
        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseListModel.COL_UNIT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CaseListModel.COL_APPLICANTS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(CaseListModel.COL_APPLICANTS, 260)
        self.table.activated.connect(self._activated)
        # Set by the main window when the loader shows only recent cases: says where the older ones are.
        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("hint")
        self.scope_label.hide()
        self.empty_label = QLabel(self.tr("暂无业务。受理的业务会显示在这里。"), self)
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("筛选："), self))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scope_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        self.timer = QTimer(self)
        self.timer.setObjectName("caseListRefresh")
        self.timer.timeout.connect(self.refresh)
        self.set_rows([])

    def start_auto_refresh(self, interval_ms: int = REFRESH_INTERVAL_MS) -> None:
        self.timer.start(interval_ms)

    def set_rows(self, rows: Sequence[CaseRow]) -> None:
        selected = self.selected_case()
        self.model.set_rows(sorted(rows, key=lambda r: r.case_number, reverse=True))
        self.empty_label.setVisible(not rows)
        self._update_count()
        if selected:
            self.select_case(selected)

    def set_recent_days(self, days: int) -> None:
        """Tells the clerk that the list holds the open cases and the last `days` days' (the loader's window)."""
        self.scope_label.setText(
            self.tr(
                "列表显示在办业务及近 {days} 天内受理或办结的业务；更早的业务请在上方搜索框输入12位业务号查找。"
            ).format(days=days)
        )
        self.scope_label.show()

    def _update_count(self) -> None:
        overdue = sum(1 for r in range(self.model.rowCount()) if self.model.case(r).due_state == DUE_OVERDUE)
        due_today = sum(1 for r in range(self.model.rowCount()) if self.model.case(r).due_state == DUE_TODAY)
        self.count_label.setText(
            self.tr("显示 {shown} / {total} 件；已超期 {overdue} 件，今日到期 {today} 件").format(
                shown=self.proxy.rowCount(), total=self.model.rowCount(), overdue=overdue, today=due_today
            )
        )

    def refresh(self, _what: str = "*") -> None:
        if self.loader is None:
            return
        try:
            rows = self.loader()
        except DomainError as error:
            # A timer refresh must not pop a dialog every 30 seconds: the reason stays on the tab.
            self.empty_label.setText(str(error))
            self.empty_label.setProperty("error", True)
            self.empty_label.setVisible(True)
            return
        self.empty_label.setProperty("error", False)
        self.empty_label.setText(self.tr("暂无业务。受理的业务会显示在这里。"))
        if self.claims_loader is not None:
            try:
                self.model.set_claims(self.claims_loader())
            except DomainError:
                self.model.set_claims({})  # the marker is a courtesy; the list itself still shows
        self.set_rows(rows)

    def set_filter(self, key: str) -> None:
        index = self.status_filter.findData(key)
        if index >= 0:
            self.status_filter.setCurrentIndex(index)

    def _filter_changed(self, _index: int) -> None:
        self.proxy.set_key(str(self.status_filter.currentData()))
        self._update_count()

    def shown_case_numbers(self) -> list[str]:
        return [
            str(self.proxy.data(self.proxy.index(r, 0), Qt.ItemDataRole.UserRole))
            for r in range(self.proxy.rowCount())
        ]

    def selected_case(self) -> str | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return str(self.proxy.data(indexes[0], Qt.ItemDataRole.UserRole)) if indexes else None

    def select_case(self, case_number: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(row, 0), Qt.ItemDataRole.UserRole) == case_number:
                self.table.selectRow(row)
                return True
        return False

    def _activated(self, index: Any) -> None:
        number = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if number:
            self.case_activated.emit(number)
