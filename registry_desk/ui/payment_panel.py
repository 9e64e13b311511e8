"""The 税费同缴 panel of a case: each paying side's QR with its lines, amount and expiry, live payment status,
reissue of an expired order, the demo's simulated scan, and the receipts with preview and print."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from registry_desk.config import Settings
from registry_desk.domain.errors import DomainError
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.models import local_time
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.payments.channel import PaymentChannel
    from registry_desk.storage.database import Database

POLL_INTERVAL_MS = 5_000


class SideCard(QFrame):
    """One side's order: the QR (while payable), the lines, the total, the status and the buttons."""

    def __init__(self, panel: PaymentPanel, side: payment_flow.SidePayment, now: datetime) -> None:
        super().__init__(panel)
        self.setObjectName(f"side_{side.order.side}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        order = side.order
        self.side = side
        expired = order.is_expired(now)
        self.qr_label = QLabel(self)
        self.qr_label.setObjectName("paymentQr")
        payable = order.status == "open" and not expired and bool(order.payload)
        if payable and order.payload:
            pixmap = QPixmap()
            pixmap.loadFromData(payment_flow.qr_png(order.payload))
            self.qr_label.setPixmap(pixmap)
            self.qr_label.setToolTip(order.payload)
        else:
            self.qr_label.setText(order.status_label if not expired else self.tr("已过期"))
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setMinimumSize(150, 150)

        title = QLabel(self.tr("{side}　订单 {order}").format(side=side.title, order=order.order_no), self)
        title.setObjectName("sideTitle")
        lines = "\n".join(f"{line.item}：{line.amount} 元" for line in order.lines)
        self.lines_label = QLabel(lines, self)
        self.total_label = QLabel(self.tr("合计：{amount} 元").format(amount=order.amount), self)
        self.total_label.setObjectName("sideTotal")
        if order.status == "open":
            state = (
                self.tr("已过期（{at}），请重新开具").format(at=local_time(order.expires_at))
                if expired
                else self.tr("待缴费，有效期至 {at}").format(at=local_time(order.expires_at))
            )
        elif order.status == "settled":
            state = self.tr("已缴清入库（{at}）").format(at=local_time(order.settled_at))
        else:
            state = order.status_label + (f"：{order.review_reason}" if order.review_reason else "")
        self.state_label = QLabel(state, self)
        self.state_label.setObjectName("sideState")
        self.state_label.setProperty("status", order.status)
        self.state_label.setWordWrap(True)

        self.reissue_button = QPushButton(self.tr("重新开具缴款单"), self)
        self.reissue_button.setObjectName("reissueButton")
        self.reissue_button.setVisible(order.status == "open" and expired)
        self.reissue_button.clicked.connect(lambda: panel.reissue(order.side))
        self.simulate_button = QPushButton(self.tr("模拟群众扫码支付"), self)
        self.simulate_button.setObjectName("simulateButton")
        self.simulate_button.setVisible(payable and panel.can_simulate)
        self.simulate_button.clicked.connect(lambda: panel.simulate(order.payload or ""))

        text = QVBoxLayout()
        for widget in (title, self.lines_label, self.total_label, self.state_label):
            text.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reissue_button)
        buttons.addWidget(self.simulate_button)
        buttons.addStretch(1)
        text.addLayout(buttons)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.qr_label)
        layout.addLayout(text, 1)


class PaymentPanel(QGroupBox):
    """Shows and follows one case's payment. `refresh()` re-reads (and issues missing orders of a 待缴费
    case); `poll()` asks the channel and settles, on a timer while anything is open. Work runs through its
    own TaskRunner so the case detail's buttons are not disabled by a poll."""

    payment_changed = Signal(object)  # CasePayment
    preview_opened = Signal(object)  # PdfPreviewDialog

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        case_number: str,
        channel: PaymentChannel | None = None,
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("税费同缴（一次扫码，税费同缴）"))
        self.setObjectName("paymentPanel")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.case_number = case_number
        self.channel = channel if channel is not None else payment_flow.channel_for(settings)
        self.bus = bus
        self.tasks = TaskRunner(self, bus)
        self.can_simulate = hasattr(self.channel, "pay")
        self.payment: payment_flow.CasePayment | None = None
        self.cards: list[SideCard] = []
        self.previews: list[PdfPreviewDialog] = []
        self.clock = utc_now  # tests advance it to see an order expire

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("paymentSummary")
        self.summary_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.cards_box = QHBoxLayout()
        self.receipts_table = QTableWidget(0, 4, self)
        self.receipts_table.setObjectName("receiptsTable")
        self.receipts_table.setHorizontalHeaderLabels(
            [self.tr("票据"), self.tr("号码"), self.tr("缴款人"), self.tr("金额（元）")]
        )
        self.receipts_table.verticalHeader().hide()
        self.receipts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.receipts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.receipts_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.receipts_table.horizontalHeader().setStretchLastSection(True)
        self.receipts_table.setMaximumHeight(120)
        self.receipts_table.cellDoubleClicked.connect(lambda row, _col: self.open_receipt(row))
        self.open_receipt_button = QPushButton(self.tr("预览/打印所选票据"), self)
        self.open_receipt_button.setObjectName("openReceipt")
        self.open_receipt_button.clicked.connect(self._open_selected)

        receipts_row = QHBoxLayout()
        receipts_row.addWidget(self.receipts_table, 1)
        receipts_row.addWidget(self.open_receipt_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(self.cards_box)
        layout.addLayout(receipts_row)
        layout.addWidget(self.error_label)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_INTERVAL_MS)
        self.timer.timeout.connect(self.poll)
        self.refresh()

    # -- reading ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            payment_flow.ensure_orders(self.db, self.channel, self.actor, self.case_number)
        except DomainError as error:
            self.show_error(str(error))  # the case still shows; the next refresh tries again
        except OSError as error:
            self.show_error(self.tr("收款渠道暂不可用：{error}").format(error=error))
        try:
            self.show_payment(payment_flow.case_payment(self.db, self.case_number))
        except DomainError as error:
            self.show_error(str(error))

    def show_payment(self, payment: payment_flow.CasePayment) -> None:
        if not isValid(self.cards_box):  # a poll answered after the window was closed
            return
        self.payment = payment
        for card in self.cards:
            self.cards_box.removeWidget(card)
            card.deleteLater()
        now = self.clock()
        self.cards = [SideCard(self, side, now) for side in payment.sides]
        for card in self.cards:
            self.cards_box.addWidget(card)
            card.show()  # a widget added to an already shown panel stays hidden until told
        if not payment.payment_required:
            text = self.tr("本业务免缴登记费和税款。")
        elif not payment.sides:
            text = self.tr("尚未开具缴款单。")
        elif payment.paid:
            text = self.tr("税费 {total} 元已全部缴清入库。").format(total=payment.total)
        else:
            text = self.tr("应缴税费合计 {total} 元：请各缴费方用手机扫描各自的二维码缴纳。").format(
                total=payment.total
            )
        if payment.refundable:
            text += self.tr("（业务已终结，已缴税费待收费员退付）")
        self.summary_label.setText(text)
        self.receipts_table.setRowCount(len(payment.receipts))
        for row, r in enumerate(payment.receipts):
            label = r.kind_label + ("" if r.status == "valid" else self.tr("（已冲红/退税）"))
            for column, value in enumerate(
                (label, f"{r.bill_code or ''}{r.number}", r.payer_name, str(r.amount))
            ):
                self.receipts_table.setItem(row, column, QTableWidgetItem(value))
        self.receipts_table.setVisible(bool(payment.receipts))
        self.open_receipt_button.setVisible(bool(payment.receipts))
        waiting = any(s.order.status == "open" for s in payment.sides)
        if waiting and not self.timer.isActive():
            self.timer.start()
        elif not waiting:
            self.timer.stop()
        self.payment_changed.emit(payment)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- acting -------------------------------------------------------------------------------------------
    def _failed(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            self.show_error(str(error))
            return
        raise error

    def poll(self) -> None:
        """Asks the channel now; settled orders are booked, the case moves, receipts are made."""
        if self.tasks.busy:
            return
        channel, db, settings = self.channel, self.db, self.settings
        case_id = self.payment.case_id if self.payment is not None else None

        def work() -> Any:
            tools = payment_flow.receipt_tools(settings)
            result = payment_flow.poll_and_issue(db, channel, tools)
            if case_id is not None:
                # Receipts of a case another window settled are made here if still missing (idempotent).
                payment_flow.produce_receipts(db, case_id, tools)
            return result

        def done(result: Any) -> None:
            if not isValid(self):
                return
            self.show_payment(payment_flow.case_payment(self.db, self.case_number))
            if result.report.count("settled") and self.bus is not None:
                self.bus.notify("case")

        self.tasks.run(work, done, self._failed)

    def simulate(self, payload: str) -> None:
        """Demo: the citizen scans the QR with a phone (through the local channel), then the poll follows."""
        channel = self.channel
        self.show_error("")
        self.tasks.run(
            lambda: payment_flow.simulate_scan(channel, payload), lambda _r: self.poll(), self._failed
        )

    def reissue(self, side: str) -> None:
        db, channel, actor, number = self.db, self.channel, self.actor, self.case_number
        self.show_error("")
        self.tasks.run(
            lambda: payment_flow.reissue(db, channel, actor, number, side, now=self.clock()),
            lambda _r: self.refresh(),
            self._failed,
        )

    def _open_selected(self) -> None:
        rows = self.receipts_table.selectionModel().selectedRows()
        self.open_receipt(rows[0].row() if rows else 0)

    def open_receipt(self, row: int) -> PdfPreviewDialog | None:
        if self.payment is None or not 0 <= row < len(self.payment.receipts):
            return None
        receipt = self.payment.receipts[row]
        try:
            name, pdf = payment_flow.receipt_pdf(self.db, self.actor, receipt.id)
        except DomainError as error:
            self.show_error(str(error))
            return None
        preview = PdfPreviewDialog(pdf, receipt.kind_label, name, self, save_dir=self.settings.output_dir)
        self.previews.append(preview)
        preview.show()
        self.preview_opened.emit(preview)
        return preview
