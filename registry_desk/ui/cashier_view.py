"""The cashier's tab (收费对账): today's orders by status, totals per account from the settlement postings, a
chart of the day's collections by hour and account, refunds, orders under review, and reconciliation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.errors import DomainError
from registry_desk.domain.money import Money
from registry_desk.payments import review
from registry_desk.payments import service as payment_flow
from registry_desk.domain.clock import local_date
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.case_detail import ask_reason
from registry_desk.ui.models import local_time
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.payments.channel import PaymentChannel
    from registry_desk.storage.database import Database

_Index = QModelIndex | QPersistentModelIndex
ACCOUNT_COLOURS = {"treasury": QColor("#b03a2e"), "fiscal": QColor("#2e6fb0")}
FIRST_HOUR, LAST_HOUR = 8, 18  # the counter's day; collections outside it are drawn at the edges


class RowsModel(QAbstractTableModel):
    """A read-only table of rows of text (every column a string), with headers."""

    def __init__(self, headers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and self.headers[index.column()].startswith("金额"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return None


class CollectionsChart(QWidget):
    """Bars of the day's collections per hour, 国库 and 财政专户 side by side (QPainter, no chart library)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionsChart")
        self.setMinimumHeight(180)
        self.by_hour: dict[int, dict[str, Money]] = {}

    def set_data(self, by_hour: dict[int, dict[str, Money]]) -> None:
        self.by_hour = by_hour
        self.update()

    def bars(self) -> list[tuple[int, str, Money]]:
        """(hour, account, amount) of every bar drawn, in drawing order (also what tests read)."""
        drawn = []
        for hour in range(FIRST_HOUR, LAST_HOUR + 1):
            for account in ("treasury", "fiscal"):
                amount = sum(
                    (
                        v.get(account, Money.zero())
                        for h, v in self.by_hour.items()
                        if max(FIRST_HOUR, min(LAST_HOUR, h)) == hour
                    ),
                    Money.zero(),
                )
                if amount.fen:
                    drawn.append((hour, account, amount))
        return drawn

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), self.palette().base())
            width, height = self.width(), self.height()
            left, bottom, top = 40.0, height - 22.0, 24.0
            hours = LAST_HOUR - FIRST_HOUR + 1
            slot = (width - left - 8) / hours
            bars = self.bars()
            peak = max((a.fen for _, _, a in bars), default=0)
            painter.setPen(self.palette().text().color())
            painter.drawLine(int(left), int(bottom), width - 8, int(bottom))
            for i in range(hours):
                painter.drawText(
                    QRectF(left + i * slot, bottom + 2, slot, 18),
                    int(Qt.AlignmentFlag.AlignHCenter),
                    f"{FIRST_HOUR + i}",
                )
            for column, (account, colour) in enumerate(ACCOUNT_COLOURS.items()):
                painter.fillRect(QRectF(left + column * 110, 4, 12, 12), colour)
                label = self.tr("国库") if account == "treasury" else self.tr("财政专户")
                painter.drawText(
                    QRectF(left + column * 110 + 16, 2, 90, 16), int(Qt.AlignmentFlag.AlignLeft), label
                )
            if peak:
                for hour, account, amount in bars:
                    i = hour - FIRST_HOUR
                    offset = 0 if account == "treasury" else 1
                    bar_height = (bottom - top) * amount.fen / peak
                    x = left + i * slot + slot * (0.15 + 0.35 * offset)
                    painter.fillRect(
                        QRectF(x, bottom - bar_height, slot * 0.33, bar_height), ACCOUNT_COLOURS[account]
                    )
        finally:
            painter.end()


class CashierView(QWidget):
    """The 收费 tab. Reads through payment_flow.cashier_day; reconciliation runs off the UI thread with a
    progress bar and shows the report, whose PDF opens in the preview."""

    progressed = Signal(int, int)
    reconciled = Signal(object)  # (report, pdf path, csv path)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        tasks: TaskRunner,
        bus: ChangeBus | None = None,
        channel: PaymentChannel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cashierView")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.tasks = tasks
        self.bus = bus
        self.channel = channel if channel is not None else payment_flow.channel_for(settings)
        self.day_data: payment_flow.CashierDay | None = None
        self.report_pdf: Path | None = None
        self.previews: list[PdfPreviewDialog] = []
        # Tests answer the file question themselves.
        self.choose_statement = self._choose_statement
        self.ask_reason = ask_reason  # tests answer the question themselves

        head = self._build_head()
        self.chart = CollectionsChart(self)
        tabs = self._build_tabs()
        box = self._build_reconciliation()
        self._lay_out(head, tabs, box)
        self._wire_signals()
        self.refresh()

    # -- building the tab ---------------------------------------------------------------------------------
    def _build_head(self) -> QHBoxLayout:
        """The day shown, 刷新, and the day's counts."""
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("cashierDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        today = local_date(utc_now())
        self.date_edit.setDate(today)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("cashierTotals")
        self.totals_label.setWordWrap(True)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("cashierCounts")
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("日期："), self))
        head.addWidget(self.date_edit)
        head.addWidget(self.refresh_button)
        head.addWidget(self.counts_label, 1)
        return head

    def _build_tabs(self) -> QTabWidget:
        """The day's orders, its refunds, and the orders under review (待人工核查)."""
        self.orders_model = RowsModel(
            [
                self.tr("缴款单号"),
                self.tr("业务号"),
                self.tr("缴费方"),
                self.tr("缴款人"),
                self.tr("金额（元）"),
                self.tr("状态"),
                self.tr("开具时间"),
                self.tr("入账时间"),
            ],
            self,
        )
        self.refunds_model = RowsModel(
            [
                self.tr("退款单号"),
                self.tr("业务号"),
                self.tr("缴款单号"),
                self.tr("金额（元）"),
                self.tr("原因"),
                self.tr("退款时间"),
                self.tr("经办人"),
            ],
            self,
        )
        self.review_model = RowsModel([self.tr("类别"), self.tr("缴款单号"), self.tr("说明")], self)
        tabs = QTabWidget(self)
        tabs.setObjectName("cashierTabs")
        self.orders_view = self._view(self.orders_model, "ordersView")
        self.refunds_view = self._view(self.refunds_model, "refundsView")
        self.review_view = self._view(self.review_model, "reviewView")
        tabs.addTab(self.orders_view, self.tr("当日缴款单"))
        tabs.addTab(self.refunds_view, self.tr("退费"))
        # 待人工核查: an order the channel paid with another amount is resolved by returning that payment in
        # full and voiding the order, so its side can be billed again (payments/review.py).
        self.return_button = QPushButton(self.tr("全额退回所选支付并作废缴款单…"), self)
        self.return_button.setObjectName("returnPayment")
        self.return_button.setEnabled(False)
        review_page = QWidget(self)
        review_layout = QVBoxLayout(review_page)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.addWidget(self.review_view, 1)
        review_buttons = QHBoxLayout()
        review_buttons.addWidget(self.return_button)
        review_buttons.addStretch(1)
        review_layout.addLayout(review_buttons)
        tabs.addTab(review_page, self.tr("待人工核查"))
        return tabs

    def _build_reconciliation(self) -> QGroupBox:
        """对账: the statement fetched from the local channel or chosen as a file, its progress and report."""
        box = QGroupBox(self.tr("对账"), self)
        self.fetch_button = QPushButton(self.tr("获取本地渠道当日对账单并对账"), self)
        self.fetch_button.setObjectName("fetchStatement")
        self.fetch_button.setVisible(hasattr(self.channel, "write_statement"))
        self.choose_button = QPushButton(self.tr("选择对账单文件（CSV）并对账…"), self)
        self.choose_button.setObjectName("chooseStatement")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("reconcileProgress")
        self.progress.setValue(0)
        self.report_text = QPlainTextEdit(self)
        self.report_text.setObjectName("reconcileReport")
        self.report_text.setReadOnly(True)
        self.report_text.setMaximumHeight(160)
        self.open_pdf_button = QPushButton(self.tr("打开对账报告PDF"), self)
        self.open_pdf_button.setObjectName("openReport")
        self.open_pdf_button.setEnabled(False)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QHBoxLayout()
        for widget in (self.fetch_button, self.choose_button, self.open_pdf_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(buttons)
        box_layout.addWidget(self.progress)
        box_layout.addWidget(self.report_text)
        return box

    def _lay_out(self, head: QHBoxLayout, tabs: QTabWidget, box: QGroupBox) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.chart)
        layout.addWidget(tabs, 1)
        layout.addWidget(box)
        layout.addWidget(self.error_label)

    def _wire_signals(self) -> None:
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.return_button.clicked.connect(self.return_selected_payment)
        self.review_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_return_button())
        self.fetch_button.clicked.connect(self.reconcile_from_channel)
        self.choose_button.clicked.connect(self.reconcile_from_file)
        self.open_pdf_button.clicked.connect(self.open_report)
        self.progressed.connect(self._progress)
        if self.bus is not None:
            self.bus.changed.connect(lambda _what: self.refresh())

    def _view(self, model: RowsModel, name: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    @property
    def day(self) -> date:
        return self.date_edit.date().toPython()  # type: ignore[no-any-return]

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- the day ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            data = payment_flow.cashier_day(self.db, self.actor, self.day)
        except DomainError as error:
            self.show_error(str(error))
            return
        self.day_data = data
        treasury, fiscal = data.totals.get("treasury", Money.zero()), data.totals.get("fiscal", Money.zero())
        self.totals_label.setText(
            self.tr("当日入库净额：国库 {treasury} 元，财政专户 {fiscal} 元，合计 {total} 元").format(
                treasury=treasury, fiscal=fiscal, total=treasury + fiscal
            )
            + (
                self.tr("；待退费业务：{cases}").format(cases="、".join(data.to_refund))
                if data.to_refund
                else ""
            )
        )
        self.counts_label.setText(
            self.tr(
                "待缴费 {open} 张，已入账 {settled} 张，待核查 {review} 张，已退款 {refunded} 张，已作废 {voided} 张"
            ).format(
                open=data.count("open"),
                settled=data.count("settled"),
                review=data.count("review"),
                refunded=data.count("refunded"),
                voided=data.count("voided"),
            )
        )
        self.chart.set_data(data.by_hour)
        self.orders_model.set_rows(
            [
                (
                    o.order_no,
                    o.case_number,
                    o.side_label,
                    o.payer,
                    str(o.amount),
                    o.status_label,
                    local_time(o.created_at),
                    local_time(o.settled_at),
                )
                for o in data.orders
            ]
        )
        self.refunds_model.set_rows(
            [
                (
                    r.refund_no,
                    r.case_number,
                    r.order_no,
                    str(r.amount),
                    r.reason,
                    local_time(r.refunded_at),
                    r.requested_by,
                )
                for r in data.refunds
            ]
        )
        self.review_model.set_rows(
            [
                (
                    self.tr("缴款单") if item["kind"] == "order" else self.tr("渠道交易"),
                    item["order_no"],
                    item["reason"],
                )
                for item in data.review
            ]
        )
        self._update_return_button()

    # -- review -------------------------------------------------------------------------------------------
    def _selected_review_order(self) -> str | None:
        """The order number of the selected 待人工核查 line when it is an order held for review."""
        rows = self.review_view.selectionModel().selectedRows()
        if not rows or self.day_data is None:
            return None
        item = self.day_data.review[rows[0].row()]
        return str(item["order_no"]) if item["kind"] == "order" else None

    def _update_return_button(self) -> None:
        self.return_button.setEnabled(self._selected_review_order() is not None and not self.tasks.busy)

    def return_selected_payment(self) -> None:
        order_no = self._selected_review_order()
        if order_no is None or self.tasks.busy:
            return
        reason = self.ask_reason(
            self,
            self.tr("退回金额不符的支付"),
            self.tr(
                "缴款单 {order} 的实收金额与应收不符。全额退回该笔支付并作废缴款单后，缴费方可重新开具缴款单缴费。"
                "退回原因："
            ).format(order=order_no),
        )
        if reason is None:
            return
        self.show_error("")
        channel, db, actor = self.channel, self.db, self.actor

        def failed(error: BaseException) -> None:
            if isinstance(error, DomainError):
                self.show_error(str(error))
                return
            raise error

        self.tasks.run(
            lambda: review.return_review_payment(db, channel, actor, order_no, reason),
            lambda _report: self.refresh(),
            failed,
            changed="payment",
        )

    # -- reconciliation -----------------------------------------------------------------------------------
    def _choose_statement(self) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择渠道对账单"), str(self.settings.output_dir), self.tr("对账单 (*.csv)")
        )
        return Path(name) if name else None

    def reconcile_from_channel(self) -> None:
        day, channel, folder = self.day, self.channel, self.settings.output_dir
        self._reconcile(lambda: payment_flow.fetch_statement(channel, day, folder))

    def reconcile_from_file(self) -> None:
        path = self.choose_statement()
        if path is not None:
            self._reconcile(lambda: path)

    def _reconcile(self, statement: Any) -> None:
        from registry_desk.payments.reconciliation import run_reconciliation

        if self.tasks.busy:
            return
        self.show_error("")
        self.progress.setValue(0)
        db, day, name, out = self.db, self.day, self.channel.name, self.settings.output_dir

        def work() -> Any:
            return run_reconciliation(
                db, name, day, statement(), out, lambda i, n: self.progressed.emit(i, n)
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, DomainError):
                self.show_error(str(error))
                return
            raise error

        self.tasks.run(work, self.show_report, failed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    def show_report(self, result: Any) -> None:
        from registry_desk.payments.reconciliation import summary_lines

        report, pdf, csv_path = result
        lines = [f"{label}：{value}" for label, value in summary_lines(report)]
        lines += [f"{d.label}　{d.order_no}　{d.txn_id}　{d.note}" for d in report.discrepancies]
        verdict = self.tr("对账相符，无差异。") if report.ok else self.tr("存在差异，请核查：")
        self.report_text.setPlainText("\n".join([verdict, *lines, str(csv_path)]))
        self.progress.setMaximum(max(1, report.statement_rows))
        self.progress.setValue(report.statement_rows)
        self.report_pdf = Path(pdf)
        self.open_pdf_button.setEnabled(True)
        self.reconciled.emit(result)

    def open_report(self) -> PdfPreviewDialog | None:
        if self.report_pdf is None:
            return None
        preview = PdfPreviewDialog(
            self.report_pdf.read_bytes(),
            self.tr("对账报告"),
            self.report_pdf.name,
            self,
            save_dir=self.settings.output_dir,
        )
        self.previews.append(preview)
        preview.show()
        return preview
