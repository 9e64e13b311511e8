"""The case list (业务列表): cases accepted at the counter with their status and statutory due date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from registry_desk.domain.codes import CaseStatus
from registry_desk.ui.models import RESTRICTION_COLOR, RowTableModel, local_time


@dataclass(frozen=True)
class CaseRow:
    """One case as the list shows it; the case services build these."""

    case_number: str  # 业务号
    type_label: str  # e.g. 转移登记 / 抵押权首次登记
    unit_number: str
    status: CaseStatus
    accepted_at: datetime
    due_date: date  # 办结时限 (working days already counted by the calendar service)


class CaseListModel(RowTableModel):
    """Columns 业务号, 类型, 单元, 状态, 受理时间, 办结时限; an open case past its due date is red."""

    def __init__(self, parent: Any = None, *, today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self._today = today
        self.headers = (
            self.tr("业务号"),
            self.tr("类型"),
            self.tr("单元"),
            self.tr("状态"),
            self.tr("受理时间"),
            self.tr("办结时限"),
        )

    def case(self, row: int) -> CaseRow:
        item: CaseRow = self.row_item(row)
        return item

    def is_overdue(self, item: CaseRow) -> bool:
        return item.status.is_open and item.due_date < self._today()

    def cell(self, item: CaseRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            due = item.due_date.isoformat()
            if column == 5 and self.is_overdue(item):
                due = self.tr("{date}（已超期）").format(date=due)
            values = (
                item.case_number,
                item.type_label,
                item.unit_number,
                item.status.label,
                local_time(item.accepted_at),
                due,
            )
            return values[column]
        if role == Qt.ItemDataRole.UserRole:
            return item.case_number
        if role == Qt.ItemDataRole.ForegroundRole and self.is_overdue(item):
            return RESTRICTION_COLOR
        return None


class CaseListView(QWidget):
    """The 业务列表 tab. `loader` (from the case services, later) returns the rows; `refresh()` re-reads them
    whenever the change bus says something changed."""

    case_activated = Signal(str)  # case number

    def __init__(
        self, loader: Callable[[], Sequence[CaseRow]] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.loader = loader
        self.model = CaseListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._activated)
        self.empty_label = QLabel(self.tr("暂无业务。受理的业务会显示在这里。"), self)
        self.empty_label.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table)
        self.set_rows([])

    def set_rows(self, rows: Sequence[CaseRow]) -> None:
        self.model.set_rows(sorted(rows, key=lambda r: r.accepted_at, reverse=True))
        self.empty_label.setVisible(not rows)

    def refresh(self, _what: str = "*") -> None:
        if self.loader is not None:
            self.set_rows(self.loader())

    def _activated(self, index: Any) -> None:
        number = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if number:
            self.case_activated.emit(number)
