"""The materials panel of a case (免提交 / 免盖章 in the window): each required material as 纸质件, 电子证照 (verified),
电子签章件 (verified) or 未提交, a preview of its PDF, and the actions that satisfy it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.cases import MATERIAL_ECERT, MATERIAL_MISSING, MATERIAL_SEALED
from registry_desk.demo import demo_contracts
from registry_desk.domain.errors import DomainError
from registry_desk.exemptions.ecert.records import EcertStore
from registry_desk.exemptions import application_form
from registry_desk.exemptions import service as exemptions
from registry_desk.kernel.context import Actor
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.printing import PdfBytes
from registry_desk.ui.signature_pad import SignatureDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

_STATUS_COLOURS = {
    MATERIAL_MISSING: QColor(255, 226, 226),
    MATERIAL_ECERT: QColor(222, 240, 255),
    MATERIAL_SEALED: QColor(226, 246, 226),
}


def choose_pdf(parent: QWidget, title: str) -> Path | None:
    chosen, _filter = QFileDialog.getOpenFileName(parent, title, "", parent.tr("PDF 文件 (*.pdf)"))
    return Path(chosen) if chosen else None


class MaterialsPanel(QWidget):
    """One case's materials. Every action runs through the TaskRunner and announces "case" on the bus; a
    refusal (a tampered e-certificate, another bank's seal) is shown with its reason and nothing changes.

    `choose_pdf` is the file question put to the user; tests replace it."""

    NAME, REQUIRED, STATUS, NOTE = range(4)
    reloaded = Signal()
    message_shown = Signal(str, bool)  # text, is_error

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        case_number: str,
        tasks: TaskRunner,
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
        *,
        store: EcertStore | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("materialsPanel")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.case_number = case_number
        self.tasks = tasks
        self.bus = bus
        self.store = store if store is not None else exemptions.ecert_store(settings)
        self.demo = demo
        self.materials: exemptions.CaseMaterials | None = None
        self.choose_pdf: Callable[[QWidget, str], Path | None] = choose_pdf
        self.signature_dialog: SignatureDialog | None = None
        self._pdf: PdfBytes | None = None

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("materialsStatus")
        self.table.setHorizontalHeaderLabels(
            [self.tr("材料"), self.tr("必需"), self.tr("提交情况"), self.tr("核验说明")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.pull_button = QPushButton(self.tr("调取电子证照"), self)
        self.pull_button.setObjectName("pullEcert")
        self.pull_button.clicked.connect(self.pull_selected)
        self.import_button = QPushButton(self.tr("导入电子签章文件"), self)
        self.import_button.setObjectName("importSealed")
        self.import_button.clicked.connect(self.import_selected)
        self.bank_button = QPushButton(self.tr("模拟银行推送"), self)
        self.bank_button.setObjectName("bankPush")
        self.bank_button.setToolTip(self.tr("演示：由银行以电子签章出具抵押合同等材料并推送到本业务"))
        self.bank_button.clicked.connect(self.push_bank)
        self.bank_button.setVisible(demo)
        self.paper_button = QPushButton(self.tr("纸质已收"), self)
        self.paper_button.setObjectName("paperReceived")
        self.paper_button.clicked.connect(self.paper_selected)
        self.sign_button = QPushButton(self.tr("申请人签名"), self)
        self.sign_button.setObjectName("signApplication")
        self.sign_button.clicked.connect(self.open_signing)
        self.message = QLabel(self)
        self.message.setObjectName("materialsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview = QPdfView(self)
        self.preview.setObjectName("materialPreview")
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview.hide()
        self.preview_label = QLabel(self.tr("选中材料可预览其电子件"), self)
        self.preview_label.setObjectName("hint")

        buttons = QHBoxLayout()
        for button in (
            self.pull_button,
            self.import_button,
            self.bank_button,
            self.paper_button,
            self.sign_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.message)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview_label)
        right_layout.addWidget(self.preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)
        self.reload()

    # -- showing ------------------------------------------------------------------------------------------
    def reload(self, _what: str = "*") -> None:
        try:
            self.materials = exemptions.case_materials(self.db, self.actor, self.case_number)
        except DomainError as error:
            self.show_message(str(error), error=True)
            return
        selected = self.selected_code()
        rows = self.materials.materials
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            values = (m.name, self.tr("是") if m.required else self.tr("否"), m.status_label, m.note)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                item.setData(Qt.ItemDataRole.UserRole, m.code)
                colour = _STATUS_COLOURS.get(m.status)
                if colour is not None and c == self.STATUS:
                    item.setBackground(colour)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        if selected is not None:
            self.select(selected)
        self._update_buttons()
        self.reloaded.emit()

    def status_of(self, code: str) -> str:
        assert self.materials is not None
        return self.materials.get(code).status

    def status_text(self, code: str) -> str:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, self.NAME)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == code:
                status = self.table.item(r, self.STATUS)
                return status.text() if status else ""
        return ""

    def select(self, code: str) -> None:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, self.NAME)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == code:
                self.table.selectRow(r)
                return

    def selected_code(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), self.NAME)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _selected(self) -> exemptions.MaterialView | None:
        code = self.selected_code()
        if code is None or self.materials is None:
            return None
        return self.materials.get(code)

    def _update_buttons(self) -> None:
        m = self._selected()
        open_ = bool(self.materials and self.materials.open_for_materials) and not self.tasks.busy
        self.pull_button.setEnabled(open_ and m is not None and m.ecert_ok)
        self.import_button.setEnabled(open_ and m is not None and m.sealed_ok)
        self.paper_button.setEnabled(open_ and m is not None and m.status == MATERIAL_MISSING)
        self.bank_button.setEnabled(open_ and bool(self.materials and self.materials.bank_uscc))
        self.sign_button.setEnabled(open_)

    def _selection_changed(self) -> None:
        self._update_buttons()
        m = self._selected()
        if m is None or not m.has_pdf:
            self._show_pdf(None)
            return
        code = m.code
        self.tasks.run(
            lambda: exemptions.material_pdf(self.db, self.actor, self.case_number, code, store=self.store),
            self._show_pdf,
        )

    def _show_pdf(self, pdf: bytes | None) -> None:
        if not pdf:
            # Hidden rather than emptied: QPdfView warns when given no document.
            self.preview.hide()
            self._pdf = None
            self.preview_label.setText(self.tr("选中材料可预览其电子件"))
            return
        try:
            self._pdf = PdfBytes(pdf, self)
        except DomainError as error:
            self.preview_label.setText(str(error))
            return
        self.preview.setDocument(self._pdf.document)
        self.preview.show()
        self.preview_label.setText(self.tr("电子件预览（共 {n} 页）").format(n=self._pdf.page_count))

    @property
    def preview_pages(self) -> int:
        return self._pdf.page_count if self._pdf is not None else 0

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message_shown.emit(text, error)

    # -- actions ------------------------------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], done: Callable[[Any], str]) -> None:
        for button in (
            self.pull_button,
            self.import_button,
            self.bank_button,
            self.paper_button,
            self.sign_button,
        ):
            button.setEnabled(False)

        def on_success(result: Any) -> None:
            self.show_message(done(result))
            self.reload()

        def on_failure(error: BaseException) -> None:
            self._update_buttons()
            if isinstance(error, DomainError):
                self.show_message(str(error), error=True)
                return
            raise error

        self.tasks.run(work, on_success, on_failure, changed="case")

    def pull_selected(self) -> None:
        m = self._selected()
        if m is None:
            return
        code, name = m.code, m.name

        def done(verified: Any) -> str:
            if verified is None:
                return self.tr("“{name}”已电子核验。").format(name=name)
            return self.tr("已调取电子证照 {id}（{number}），签章与内容核验通过。").format(
                id=verified.ecert_id, number=verified.record.number
            )

        self._run(
            lambda: exemptions.pull_ecert(
                self.db, self.actor, self.settings, self.store, self.case_number, code
            ),
            done,
        )

    def import_selected(self) -> None:
        m = self._selected()
        if m is None:
            return
        path = self.choose_pdf(self, self.tr("选择电子签章文件（PDF）"))
        if path is None:
            return
        code = m.code

        def work() -> Any:
            pdf = path.read_bytes()
            return exemptions.import_sealed_file(
                self.db, self.actor, self.settings, self.case_number, code, pdf
            )

        self._run(work, lambda result: result.note)

    def push_bank(self) -> None:
        def done(results: list[Any]) -> str:
            if not results:
                return self.tr("银行没有需要推送的材料。")
            return self.tr("银行已推送：{names}（电子签章已核验）").format(
                names="、".join(r.material_name for r in results)
            )

        self._run(
            lambda: demo_contracts.push_demo_bank_documents(
                self.db, self.actor, self.settings, self.case_number
            ),
            done,
        )

    def paper_selected(self) -> None:
        m = self._selected()
        if m is None:
            return
        code, name = m.code, m.name
        self._run(
            lambda: exemptions.receive_paper(self.db, self.actor, self.case_number, code),
            lambda _r: self.tr("“{name}”已收纸质件。").format(name=name),
        )

    def open_signing(self) -> SignatureDialog | None:
        try:
            people = application_form.signers(self.db, self.actor, self.case_number)
        except DomainError as error:
            self.show_message(str(error), error=True)
            return None
        dialog = SignatureDialog(
            [(p.id_number, f"{p.role_label}：{p.name}", p.needs_drawn_signature) for p in people],
            self.case_number,
            self,
        )
        dialog.accepted.connect(lambda: self.sign(dialog.signatures()))
        self.signature_dialog = dialog
        dialog.show()
        return dialog

    def sign(self, signatures: dict[str, bytes]) -> None:
        def done(result: application_form.SignedApplicationForm) -> str:
            self.select(application_form.MATERIAL_CODE)
            return self.tr("申请书已签署并加盖登记机构电子签章：{names}").format(
                names="、".join(result.signed_by)
            )

        self._run(
            lambda: application_form.sign_application_form(
                self.db, self.actor, self.case_number, signatures, settings=self.settings
            ),
            done,
        )
