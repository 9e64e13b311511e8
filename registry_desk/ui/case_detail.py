"""The case detail (业务详情): status and history, parties, materials, due date, and the actions each role may take."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_MISSING,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    CaseSummary,
)
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import DomainError
from registry_desk.registration import case_history
from registry_desk.registration import certificates, intake, queries, versioning
from registry_desk.registration import claims
from registry_desk.exemptions import service as exemptions
from registry_desk.registration import issuing
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import Actor
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.models import local_time
from registry_desk.ui.payment_panel import PaymentPanel
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

# Which roles may take each action (admin may take all); the services check again.
ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "pay": (Role.CASHIER,),
    "refund": (Role.CASHIER,),
    "record": (Role.REGISTRAR,),
    "refuse": (Role.REGISTRAR,),
    "withdraw": (Role.CLERK, Role.REGISTRAR),
    "not_accept": (Role.CLERK,),
    "ready": (Role.REGISTRAR, Role.CLERK),
    "issue": (Role.CLERK, Role.REGISTRAR),
    "receive": (Role.CLERK, Role.REGISTRAR),
    "print_certificate": issuing.PRINT_ROLES,
    "print_receipt": issuing.RECEIPT_ROLES,
}

# In which statuses each action makes sense (the status machine of domain/cases.py decides in the end).
ACTION_STATUSES: dict[str, tuple[CaseStatus, ...]] = {
    "pay": (CaseStatus.AWAITING_PAYMENT,),
    "refund": (CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.NOT_ACCEPTED),
    "record": (CaseStatus.IN_REVIEW,),
    "refuse": (CaseStatus.IN_REVIEW,),
    "withdraw": (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW),
    "not_accept": (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT),
    "ready": (CaseStatus.RECORDED,),
    "issue": (CaseStatus.CERTIFICATE_READY,),
    "receive": (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW),
    "print_certificate": (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED),
    "print_receipt": tuple(CaseStatus),
}


def may(actor: Actor, action: str) -> bool:
    return actor.role is Role.ADMIN or actor.role in ACTION_ROLES[action]


class ReasonDialog(QDialog):
    """Asks why a case is refused, withdrawn or not accepted: the text goes to the applicant in writing."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("reasonText")
        self.text.setTabChangesFocus(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        prompt_label = QLabel(prompt, self)
        prompt_label.setWordWrap(True)
        layout.addWidget(prompt_label)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self, self.accept)
        self.resize(480, 220)


def ask_reason(parent: QWidget, title: str, prompt: str) -> str | None:
    dialog = ReasonDialog(title, prompt, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.text.toPlainText()


def ask_receiver(parent: QWidget, title: str, prompt: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal)
    return text if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _table(headers: list[str], parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


class CaseDetailDialog(QDialog):
    """One case. Actions run through the TaskRunner (off the UI thread) and announce "case" on the bus;
    a refusal is shown in red above the buttons, and nothing changed.

    `ask_reason`, `ask_receiver` and `confirm` are the questions put to the user; tests replace them."""

    preview_opened = Signal(object)  # PdfPreviewDialog

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        case_number: str,
        tasks: TaskRunner,
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseDetail")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.case_number = case_number
        self.tasks = tasks
        self.bus = bus
        self.summary: CaseSummary | None = None
        self.version: int | None = None  # the case version shown; actions are refused once it moved on
        self.previews: list[PdfPreviewDialog] = []
        self.ask_reason: Callable[[QWidget, str, str], str | None] = ask_reason
        self.ask_receiver: Callable[[QWidget, str, str], str | None] = ask_receiver
        self.confirm: Callable[[QWidget, str, str], bool] = confirm
        self.setWindowTitle(self.tr("业务详情 — {number}").format(number=case_number))
        # 税费同缴: the panel appears for charged cases (made on first showing, see show_case).
        self.payment_panel: PaymentPanel | None = None
        self.payment_slot = QVBoxLayout()

        self._build_header_and_facts()
        self._build_tables()
        self._build_notices()
        bar = self._build_action_bar()
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R), self, self._record_shortcut)

        self._lay_out(bar)
        self._wire_signals()
        self.resize(1040, 720)
        self.reload()

    # -- building the dialog ------------------------------------------------------------------------------
    def _build_header_and_facts(self) -> None:
        self.status_label = QLabel(self)
        self.status_label.setObjectName("caseStatus")
        self.title_label = QLabel(self)
        self.title_label.setObjectName("caseTitle")
        self.title_label.setWordWrap(True)
        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fact_labels: dict[str, QLabel] = {}
        for key, label in (
            ("unit", self.tr("不动产单元：")),
            ("accepted", self.tr("受理时间：")),
            ("due", self.tr("办结时限：")),
            ("payment", self.tr("缴费：")),
            ("certificates", self.tr("证书证明：")),
            ("reason", self.tr("原因：")),
        ):
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            self.facts.addRow(label, value)

    def _build_tables(self) -> None:
        self.parties_table = _table(
            [self.tr("角色"), self.tr("姓名/名称"), self.tr("证件号码")], self, "partiesTable"
        )
        self.materials_table = _table(
            [self.tr("材料"), self.tr("必需"), self.tr("提交情况")], self, "materialsTable"
        )
        self.missing_label = QLabel(self)
        self.missing_label.setObjectName("missingMaterials")
        self.missing_label.setWordWrap(True)
        self.history_table = _table(
            [self.tr("时间"), self.tr("经办人"), self.tr("环节"), self.tr("说明")], self, "historyTable"
        )

    def _build_notices(self) -> None:
        # “由 张三（3号窗口）处理中” when another clerk has this case open (registration/claims.py).
        self.claim_label = QLabel(self)
        self.claim_label.setObjectName("claimedBy")
        self.claim_label.setWordWrap(True)
        self.claim_label.hide()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.busy_label = QLabel(self.tr("正在办理……"), self)
        self.busy_label.setObjectName("hint")
        self.busy_label.hide()

    def _actions(self) -> tuple[tuple[str, str, Callable[[], Any]], ...]:
        """The case actions: key (the button is `action_<key>`), text and slot, in the bar's order."""
        return (
            ("pay", self.tr("确认缴费"), self.pay),
            ("refund", self.tr("退还税费"), self.refund),
            ("record", self.tr("登簿（Ctrl+R）"), self.record),
            ("ready", self.tr("缮证"), self.mark_ready),
            ("issue", self.tr("发证"), self.issue),
            ("receive", self.tr("收到所选材料"), self.receive_selected_material),
            ("print_certificate", self.tr("打印证书"), self.print_certificate),
            ("print_receipt", self.tr("打印受理凭证"), self.print_receipt),
            ("refuse", self.tr("驳回"), self.refuse),
            ("withdraw", self.tr("撤回"), self.withdraw),
            ("not_accept", self.tr("不予受理"), self.not_accept),
        )

    def _build_action_bar(self) -> QHBoxLayout:
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text, _slot in self._actions():
            button = QPushButton(text, self)
            button.setObjectName(f"action_{key}")
            if key in ("refuse", "withdraw", "not_accept"):
                button.setProperty("kind", "danger")
            self.buttons[key] = button
            bar.addWidget(button)
        # Beside the case actions, not one of them: it opens a window and changes nothing by itself.
        self.materials_button = QPushButton(self.tr("材料与签名（免提交/免盖章）"), self)
        self.materials_button.setObjectName("openMaterials")
        self.materials_button.setVisible(self.actor.role in (Role.CLERK, Role.REGISTRAR, Role.ADMIN))
        bar.addWidget(self.materials_button)
        bar.addStretch(1)
        self.close_button = QPushButton(self.tr("关闭（Esc）"), self)
        bar.addWidget(self.close_button)
        return bar

    def _lay_out(self, bar: QHBoxLayout) -> None:
        head = QHBoxLayout()
        head.addWidget(self.status_label)
        head.addWidget(self.title_label, 1)
        parties_box = QGroupBox(self.tr("申请人"), self)
        QVBoxLayout(parties_box).addWidget(self.parties_table)
        materials_box = QGroupBox(self.tr("申请材料"), self)
        materials_layout = QVBoxLayout(materials_box)
        materials_layout.addWidget(self.materials_table)
        materials_layout.addWidget(self.missing_label)
        history_box = QGroupBox(self.tr("办理过程"), self)
        QVBoxLayout(history_box).addWidget(self.history_table)
        middle = QHBoxLayout()
        middle.addWidget(parties_box, 1)
        middle.addWidget(materials_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.claim_label)
        layout.addLayout(self.facts)
        layout.addLayout(middle, 2)
        layout.addLayout(self.payment_slot)
        layout.addWidget(history_box, 2)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_label)
        layout.addLayout(bar)

    def _wire_signals(self) -> None:
        for key, _text, slot in self._actions():
            self.buttons[key].clicked.connect(slot)
        self.materials_button.clicked.connect(self.open_materials)
        self.close_button.clicked.connect(self.reject)

    # -- showing ------------------------------------------------------------------------------------------
    def show_claim(self, text: str | None) -> None:
        self.claim_label.setText(text or "")
        self.claim_label.setVisible(bool(text))

    def reload(self) -> None:
        try:
            # The version first: if the case changes between the two reads, our action is refused, not lost.
            self.version = versioning.case_version(self.db, self.actor, self.case_number)
            other = claims.held_by_other(self.db, self.actor, self.case_number)
            self.show_claim(other.label if other is not None else None)
            summary = queries.get_case(self.db, self.actor, self.case_number)
            history = case_history.case_history(self.db, self.actor, self.case_number)
        except DomainError as error:
            self.show_error(str(error))
            return
        if self.payment_panel is not None:
            self.payment_panel.refresh()
        self.show_case(summary, history)

    def show_case(self, summary: CaseSummary, history: tuple[case_history.HistoryLine, ...] = ()) -> None:
        self.summary = summary
        if summary.payment_required and self.payment_panel is None:
            self.payment_panel = PaymentPanel(
                self.db, self.actor, self.settings, summary.case_number, bus=self.bus, parent=self
            )
            self.payment_panel.payment_changed.connect(lambda _p: self._update_buttons())
            self.payment_panel.preview_opened.connect(self.preview_opened)
            self.payment_slot.addWidget(self.payment_panel)
        self.status_label.setText(summary.status_text)
        self.status_label.setProperty("status", summary.status.value)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.title_label.setText(
            self.tr("{number}  {label}").format(number=summary.case_number, label=summary.business_label)
        )
        f = self.fact_labels
        f["unit"].setText(f"{summary.unit_number}　{summary.location}")
        f["accepted"].setText(local_time(summary.accepted_at))
        f["due"].setText(
            self.tr("{date}（承诺{days}个工作日）").format(
                date=summary.due_date.isoformat(), days=summary.time_limit_days
            )
        )
        f["payment"].setText(self.tr("须缴纳税费") if summary.payment_required else self.tr("免缴费"))
        f["certificates"].setText("、".join(summary.certificate_numbers) or self.tr("（登簿后生成）"))
        f["reason"].setText(summary.closed_reason or "")
        self.facts.setRowVisible(f["reason"], bool(summary.closed_reason))
        _fill(self.parties_table, [tuple(p) for p in summary.parties])
        _fill(
            self.materials_table,
            [
                (m.name, self.tr("是") if m.required else self.tr("否"), m.status_label)
                for m in summary.materials
            ],
        )
        missing = summary.missing_materials
        self.missing_label.setText(
            self.tr("一次性告知，尚需补正：{names}").format(names="、".join(m.name for m in missing))
            if missing
            else self.tr("材料齐全。")
        )
        self.missing_label.setProperty("error", bool(missing))
        self.missing_label.style().unpolish(self.missing_label)
        self.missing_label.style().polish(self.missing_label)
        if history:
            _fill(
                self.history_table,
                [(local_time(h.at), h.actor, h.label, h.detail) for h in history],
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        status = self.summary.status if self.summary else None
        for key, button in self.buttons.items():
            shown = status is not None and may(self.actor, key) and status in ACTION_STATUSES[key]
            if key == "print_certificate":
                shown = shown and bool(self.summary and self.summary.certificate_numbers)
            if key == "receive":
                shown = shown and bool(self.summary and self.summary.missing_materials)
            if key == "refund":
                payment = self.payment_panel.payment if self.payment_panel else None
                shown = shown and bool(payment and payment.refundable)
            button.setVisible(shown)
            button.setEnabled(not self.tasks.busy)

    def visible_actions(self) -> list[str]:
        return [key for key, button in self.buttons.items() if not button.isHidden()]

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- running actions ----------------------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
        self.show_error("")
        self.busy_label.show()
        for button in self.buttons.values():
            button.setEnabled(False)

        def on_success(result: Any) -> None:
            self.busy_label.hide()
            if done is not None:
                done(result)
            self.reload()

        def on_failure(error: BaseException) -> None:
            self.busy_label.hide()
            self._update_buttons()
            if isinstance(error, DomainError):
                self.show_error(str(error))
                return
            raise error

        self.tasks.run(work, on_success, on_failure, changed="case")

    def pay(self) -> None:
        """现金缴款人工确认: voids the open QR orders at the channel, then the audited cash override."""
        number, version, channel = self.case_number, self.version, self._channel()
        self._run(
            lambda: payment_flow.cash_payment(self.db, channel, self.actor, number, expected_version=version)
        )

    def _channel(self) -> Any:
        return self.payment_panel.channel if self.payment_panel else payment_flow.channel_for(self.settings)

    def refund(self) -> None:
        """税费退付 of a closed case, confirmed by the cashier: refunds through the channel, reverses the
        entries and issues the red-letter fee bill."""
        reason = self.ask_reason(self, self.tr("退还税费"), self.tr("退费原因（将记入退费记录和冲红票据）："))
        if reason is None:
            return
        number, channel, settings = self.case_number, self._channel(), self.settings
        self._run(
            lambda: payment_flow.refund_closed_case(
                self.db, channel, self.actor, number, reason, tools=payment_flow.receipt_tools(settings)
            )
        )

    def _record_shortcut(self) -> None:
        if not self.buttons["record"].isHidden() and self.buttons["record"].isEnabled():
            self.record()

    def what_recording_changes(self) -> str:
        """The confirmation text before 登簿: the register changes at once and cannot be taken back."""
        s = self.summary
        assert s is not None
        by_role: dict[str, list[str]] = {}
        for role, name, _id in s.parties:
            by_role.setdefault(role, []).append(name)
        people = "\n".join(f"{role}：{'、'.join(names)}" for role, names in by_role.items())
        effect = {
            TRANSFER: self.tr("房屋所有权转移给受让方；原不动产权证书注销，生成新的不动产权证书。"),
            MORTGAGE_FIRST: self.tr(
                "在该单元设立抵押权（抵押权预告登记随之转为抵押权）；生成不动产登记证明（抵押权）。"
            ),
            MORTGAGE_CANCEL: self.tr("注销该抵押权，原不动产登记证明作废；不再发证，业务即办结。"),
            ADVANCE_NOTICE: self.tr("在该单元记载预告登记；生成不动产登记证明（预告登记）。"),
        }.get(s.business_type, "")
        text = self.tr(
            "确认对业务 {number}（{label}）审核通过并登簿？\n\n单元：{unit}\n坐落：{location}\n{people}\n\n登簿后：{effect}\n登簿即生效，不能撤回。"
        )
        return text.format(
            number=s.case_number,
            label=s.business_label,
            unit=s.unit_number,
            location=s.location,
            people=people,
            effect=effect,
        )

    def record(self) -> None:
        if self.summary is None:
            return
        if not self.confirm(self, self.tr("登簿"), self.what_recording_changes()):
            return
        number = self.case_number

        def published(result: exemptions.RecordedAndPublished) -> None:
            # The case is recorded either way; a store failure only delays the e-certificates.
            if result.publish_error:
                self.show_error(
                    self.tr("已登簿；电子证照暂未签发，将自动补发：{error}").format(
                        error=result.publish_error
                    )
                )

        version = self.version
        self._run(
            lambda: exemptions.record_and_publish(
                self.db, self.actor, number, settings=self.settings, expected_version=version
            ),
            published,
        )

    def open_materials(self) -> QDialog:
        """The materials panel of this case in its own window (pull, sealed files, signatures, previews)."""
        from registry_desk.demo.demo_accounts import read_demo_accounts
        from registry_desk.ui.materials_panel import MaterialsPanel

        dialog = QDialog(self)
        dialog.setObjectName("materialsDialog")
        dialog.setWindowTitle(self.tr("申请材料 — {number}").format(number=self.case_number))
        panel = MaterialsPanel(
            self.db,
            self.actor,
            self.settings,
            self.case_number,
            self.tasks,
            self.bus,
            dialog,
            demo=bool(read_demo_accounts(self.settings.data_dir)),
        )
        if self.bus is not None:
            self.bus.changed.connect(panel.reload)
            dialog.finished.connect(
                lambda _r: self.bus.changed.disconnect(panel.reload) if self.bus else None
            )
        QVBoxLayout(dialog).addWidget(panel)
        dialog.resize(1100, 640)
        self.materials_panel = panel
        dialog.show()
        return dialog

    def mark_ready(self) -> None:
        number, version = self.case_number, self.version
        self._run(
            lambda: certificates.mark_certificate_ready(self.db, self.actor, number, expected_version=version)
        )

    def issue(self) -> None:
        receiver = self.ask_receiver(self, self.tr("发证"), self.tr("领证人姓名（核对身份证件后填写）："))
        if receiver is None:
            return
        number, version = self.case_number, self.version
        self._run(
            lambda: certificates.issue_certificate(
                self.db, self.actor, number, receiver, expected_version=version
            )
        )

    def _close_case(self, title: str, prompt: str, target: CaseStatus) -> None:
        """Closing voids the case's unpaid orders at once; settled money waits for the cashier's refund."""
        reason = self.ask_reason(self, title, prompt)
        if reason is None:
            return
        number = self.case_number
        channel = self._channel() if self.summary and self.summary.payment_required else None
        version = self.version
        self._run(
            lambda: payment_flow.close_case(
                self.db, self.actor, channel, number, target, reason, expected_version=version
            )
        )

    def refuse(self) -> None:
        self._close_case(
            self.tr("驳回"), self.tr("驳回（不予登记）的理由，将书面告知申请人："), CaseStatus.REFUSED
        )

    def withdraw(self) -> None:
        self._close_case(self.tr("撤回"), self.tr("申请人撤回申请的原因："), CaseStatus.WITHDRAWN)

    def not_accept(self) -> None:
        self._close_case(
            self.tr("不予受理"),
            self.tr("不予受理的理由，将书面告知申请人："),
            CaseStatus.NOT_ACCEPTED,
        )

    def receive_selected_material(self) -> None:
        if self.summary is None:
            return
        rows = self.materials_table.selectionModel().selectedRows()
        missing = [m for m in self.summary.materials if m.status == MATERIAL_MISSING and m.required]
        material = self.summary.materials[rows[0].row()] if rows else (missing[0] if missing else None)
        if material is None:
            return
        number = self.case_number
        self._run(lambda: intake.receive_material(self.db, self.actor, number, material.code, "paper"))

    # -- printing -----------------------------------------------------------------------------------------
    def open_preview(self, pdf: bytes, title: str, file_name: str) -> PdfPreviewDialog:
        preview = PdfPreviewDialog(pdf, title, file_name, self, save_dir=self.settings.output_dir)
        self.previews.append(preview)
        preview.show()
        self.preview_opened.emit(preview)
        return preview

    def print_certificate(self) -> None:
        if self.summary is None or not self.summary.certificate_numbers:
            return
        numbers = list(self.summary.certificate_numbers)

        def work() -> list[tuple[str, bytes]]:
            return [
                (n, issuing.certificate_pdf(self.db, self.actor, n, settings=self.settings)) for n in numbers
            ]

        def done(result: list[tuple[str, bytes]]) -> None:
            for number, pdf in result:
                self.open_preview(pdf, number, f"{number}.pdf")

        self._run(work, done)

    def print_receipt(self) -> None:
        """The 受理凭证, one copy per paying side with that side's payment QR (or one copy for a free case)."""
        number = self.case_number
        channel = self._channel() if self.summary and self.summary.payment_required else None

        def done(copies: list[tuple[str, bytes]]) -> None:
            for label, pdf in copies:
                suffix = f"_{label}" if label else ""
                self.open_preview(
                    pdf,
                    self.tr("受理凭证 {number}").format(number=number) + (f"（{label}）" if label else ""),
                    f"受理凭证_{number}{suffix}.pdf",
                )

        self._run(
            lambda: payment_flow.acceptance_receipts(
                self.db, self.actor, number, settings=self.settings, channel=channel
            ),
            done,
        )
