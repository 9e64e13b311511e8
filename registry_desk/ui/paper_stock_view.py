"""The clerk window's paper stock tab: ranges of blank certificate paper, used / spoiled / remaining, and loading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import DomainError
from registry_desk.payments.channel import CHINA_TZ
from registry_desk.kiosk import paper_stock

if TYPE_CHECKING:
    from registry_desk.kernel.context import Actor
    from registry_desk.storage.database import Database


class PaperStockView(QWidget):
    """Everyone who may see the stock sees the table and the warning; only an administrator loads paper or
    moves the warning line (the service checks too)."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setObjectName("paperStockView")
        self.warning = QLabel(self)
        self.warning.setObjectName("paperWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b42318; font-weight: bold;")
        self.summary = QLabel(self)
        self.summary.setObjectName("paperSummary")
        self.table = QTableWidget(0, 7, self)
        self.table.setObjectName("paperRanges")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("起始序列号"),
                self.tr("终止序列号"),
                self.tr("总数"),
                self.tr("已使用"),
                self.tr("已作废"),
                self.tr("剩余"),
                self.tr("载入人"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.first = QLineEdit(self)
        self.first.setObjectName("paperFirst")
        self.first.setPlaceholderText("NX2026000001")
        self.last = QLineEdit(self)
        self.last.setObjectName("paperLast")
        self.last.setPlaceholderText("NX2026000500")
        self.load_button = QPushButton(self.tr("载入号段"), self)
        self.load_button.setObjectName("paperLoad")
        self.load_button.clicked.connect(self.load)
        self.threshold = QSpinBox(self)
        self.threshold.setObjectName("paperThreshold")
        self.threshold.setRange(0, paper_stock.MAX_RANGE)
        self.threshold_button = QPushButton(self.tr("保存预警线"), self)
        self.threshold_button.setObjectName("paperThresholdSave")
        self.threshold_button.clicked.connect(self.save_threshold)
        self.message = QLabel(self)
        self.message.setObjectName("paperMessage")
        self.message.setWordWrap(True)

        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.first)
        row.addWidget(QLabel("—", self))
        row.addWidget(self.last)
        row.addWidget(self.load_button)
        form.addRow(self.tr("新号段"), row)
        limit = QHBoxLayout()
        limit.addWidget(self.threshold)
        limit.addWidget(self.threshold_button)
        limit.addStretch(1)
        form.addRow(self.tr("库存预警线（张）"), limit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        if actor.role is Role.ADMIN:
            layout.addLayout(form)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        try:
            stock = paper_stock.stock_status(self.db, self.actor)
        except DomainError as error:
            self.message.setText(str(error))
            return
        self.summary.setText(
            self.tr(
                "合计 {total} 张：已使用 {used}，已作废 {spoiled}，打印中 {printing}，剩余 {free}；下一张 {next}"
            ).format(
                total=stock.total,
                used=stock.used,
                spoiled=stock.spoiled,
                printing=stock.printing,
                free=stock.free,
                next=stock.next_serial or self.tr("（无）"),
            )
        )
        if stock.free == 0:
            self.warning.setText(self.tr("空白证书纸已用完，自助打证机无法打证，请立即载入新的号段"))
        elif stock.low:
            self.warning.setText(
                self.tr("空白证书纸仅剩 {free} 张（预警线 {threshold} 张），请及时补充").format(
                    free=stock.free, threshold=stock.threshold
                )
            )
        else:
            self.warning.clear()
        self.warning.setVisible(bool(self.warning.text()))
        self.threshold.setValue(stock.threshold)
        self.table.setRowCount(len(stock.ranges))
        for index, r in enumerate(stock.ranges):
            loaded = f"{r.loaded_by} {r.loaded_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
            for column, value in enumerate(
                (r.first_serial, r.last_serial, r.total, r.used, r.spoiled, r.free, loaded)
            ):
                self.table.setItem(index, column, QTableWidgetItem(str(value)))

    def load(self) -> None:
        try:
            line = paper_stock.load_range(self.db, self.actor, self.first.text(), self.last.text())
        except DomainError as error:
            self.message.setText(str(error))
            return
        self.message.setText(
            self.tr("已载入号段 {first}—{last}，共 {count} 张").format(
                first=line.first_serial, last=line.last_serial, count=line.total
            )
        )
        self.first.clear()
        self.last.clear()
        self.refresh()

    def save_threshold(self) -> None:
        try:
            paper_stock.set_low_stock_threshold(self.db, self.actor, self.threshold.value())
        except DomainError as error:
            self.message.setText(str(error))
            return
        self.message.setText(self.tr("预警线已保存"))
        self.refresh()
