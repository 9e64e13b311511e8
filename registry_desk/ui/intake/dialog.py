"""The intake (受理) of one unit's application for any business type: parties, terms, materials, prefill, accept.

The dialog is put together from one part per section of its form (parties.py, transfer_section.py,
materials.py, prefilling.py, accepting.py): each part builds its widgets (`_build_*`) and holds their
behaviour; the dialog lays them out, wires their signals and builds the request from all of them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
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
    BusinessType,
    CancellationTerms,
    CaseSummary,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    TransferTaxFacts,
)
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    MortgageCancelReason,
    RightType,
)
from registry_desk.domain.money import Money, MoneyError
from registry_desk.domain import clock
from registry_desk.payments import service as payment_flow
from registry_desk.registration import prefill_form
from registry_desk.registration import register
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.intake.accepting import Accepting
from registry_desk.ui.intake.fields import SourceLabel, parse_money
from registry_desk.ui.intake.materials import MaterialsSection
from registry_desk.ui.intake.mortgage_section import MortgageBox
from registry_desk.ui.intake.parties import PartiesSection
from registry_desk.ui.intake.prefilling import PREFILL_TYPES, Prefilling
from registry_desk.ui.intake.transfer_section import TransferSection
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database


class IntakeDialog(PartiesSection, TransferSection, MaterialsSection, Prefilling, Accepting, QDialog):
    """受理 for one unit. Prefill (F4) fills from the register with a source per field; Ctrl+Enter accepts
    through the case services; a refusal shows its Chinese message here and nothing is saved; on success the
    sealed 受理凭证 opens in the preview."""

    case_accepted = Signal(object)  # CaseSummary
    preview_opened = Signal(object)  # PdfPreviewDialog

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        unit_number: str,
        tasks: TaskRunner,
        bus: ChangeBus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intake")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.unit_number = unit_number
        self.tasks = tasks
        self.bus = bus
        self.policy = load_policy()
        self.today = clock.local_date(utc_now())
        self.unit = register.unit_register(db, actor, unit_number)
        self.summary: CaseSummary | None = None
        self.receipt_preview: PdfPreviewDialog | None = None  # the first copy (买方联 for a resale)
        self.receipt_previews: list[PdfPreviewDialog] = []
        self.acceptance: payment_flow.Acceptance | None = None
        self._channel: Any = None
        self.prefilled: prefill_form.Prefill | None = None
        self.bank_contract: Any = None  # a bank_contracts.BankContract once read and verified
        self.bank_contract_path: Path | None = None
        self.setWindowTitle(self.tr("受理业务 — {unit}").format(unit=unit_number))

        type_row = self._build_unit_and_type()
        parties_box = self._build_parties()
        terms_box = self._build_terms()
        materials_box = self._build_materials()
        self._build_bottom()
        self._lay_out(type_row, parties_box, terms_box, materials_box)
        self._install_shortcuts()
        self._wire_signals()
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # Enter belongs to the field it is typed in (the card reader ends every number with it): no button
        # may take it as the dialog's default, or a scan would press 删除 or 受理.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.resize(1120, 820)
        self._type_changed()
        self.type_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building the form ----------------------------------------------------------------------------------
    def _build_unit_and_type(self) -> QHBoxLayout:
        """The unit, the business type (and the notice's kind), the prefill buttons and the notes under them."""
        self.unit_label = QLabel(
            self.tr("不动产单元号：{number}　坐落：{location}").format(
                number=self.unit.unit_number, location=self.unit.location
            ),
            self,
        )
        self.unit_label.setObjectName("unitNumber")
        self.unit_label.setWordWrap(True)
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("businessType")
        for business in self.policy.types:
            self.type_combo.addItem(business.label, business.key)
        self.notice_kind_label = QLabel(self.tr("预告登记种类："), self)
        self.notice_kind_combo = QComboBox(self)
        self.notice_kind_combo.setObjectName("noticeKind")
        for kind in AdvanceNoticeKind:
            self.notice_kind_combo.addItem(kind.label, int(kind))
        self.prefill_button = QPushButton(self.tr("从登记簿预填（F4）"), self)
        self.prefill_button.setObjectName("prefillButton")
        # A mortgage without a notice: the bank's sealed contract carries the figures (免填写, 免盖章).
        self.contract_button = QPushButton(self.tr("读取银行抵押合同（F6）"), self)
        self.contract_button.setObjectName("contractButton")
        self.contract_button.setToolTip(
            self.tr("读取银行加盖电子签章的抵押合同：核验签章后按合同数据预填，受理后作为电子签章件收取")
        )
        self.contract_note = QLabel(self)
        self.contract_note.setObjectName("hint")
        self.contract_note.setWordWrap(True)
        self.contract_note.hide()
        self.type_note = QLabel(self)
        self.type_note.setObjectName("hint")
        self.type_note.setWordWrap(True)
        self.warnings_label = QLabel(self)
        self.warnings_label.setObjectName("warnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.hide()

        type_row = QHBoxLayout()
        type_row.addWidget(QLabel(self.tr("业务类型："), self))
        type_row.addWidget(self.type_combo)
        type_row.addWidget(self.notice_kind_label)
        type_row.addWidget(self.notice_kind_combo)
        type_row.addWidget(self.prefill_button)
        type_row.addWidget(self.contract_button)
        type_row.addStretch(1)
        return type_row

    def _build_terms(self) -> QGroupBox:
        """登记事项: one page per business type, shown as the type is chosen."""
        self.terms_stack = QStackedWidget(self)
        transfer_page = self._build_transfer_page()
        # mortgage
        self.mortgage_box = MortgageBox(self)
        self.mortgage_box.setObjectName("mortgageTerms")
        cancel_page = self._build_cancel_page()
        notice_page = self._build_notice_page()
        self._pages = {
            TRANSFER: transfer_page,
            MORTGAGE_FIRST: self.mortgage_box,
            MORTGAGE_CANCEL: cancel_page,
            ADVANCE_NOTICE: notice_page,
        }
        for page in self._pages.values():
            self.terms_stack.addWidget(page)
        terms_box = QGroupBox(self.tr("登记事项"), self)
        QVBoxLayout(terms_box).addWidget(self.terms_stack)
        return terms_box

    def _build_cancel_page(self) -> QWidget:
        cancel_page = QWidget(self)
        cancel_form = QFormLayout(cancel_page)
        self.cancel_combo = QComboBox(self)
        self.cancel_combo.setObjectName("mortgageToCancel")
        for right in self.unit.restrictions:
            if right.right_type is RightType.MORTGAGE and right.certificates:
                holders = "、".join(p.name for p in right.holders)
                amount = dict(right.details).get("被担保主债权数额") or dict(right.details).get(
                    "最高债权额", ""
                )
                self.cancel_combo.addItem(
                    f"{right.certificates[0]}　{holders}　{amount}".strip(), right.certificates[0]
                )
        self.cancel_source = SourceLabel(self)
        self.cancel_source.set_source(None)
        self.cancel_reason = QComboBox(self)
        for reason in MortgageCancelReason:
            self.cancel_reason.addItem(reason.label, reason.value)
        self.cancel_note = QLineEdit(self)
        cancel_box = QVBoxLayout()
        cancel_box.setSpacing(0)
        cancel_box.addWidget(self.cancel_combo)
        cancel_box.addWidget(self.cancel_source)
        cancel_form.addRow(self.tr("要注销的抵押权："), cancel_box)
        cancel_form.addRow(self.tr("注销原因："), self.cancel_reason)
        cancel_form.addRow(self.tr("说明："), self.cancel_note)
        return cancel_page

    def _build_notice_page(self) -> QWidget:
        notice_page = QWidget(self)
        notice_layout = QVBoxLayout(notice_page)
        notice_price_row = QHBoxLayout()
        self.notice_price_label = QLabel(self.tr("买卖价格（元）："), self)
        self.notice_price = QLineEdit(self)
        self.notice_price.setObjectName("noticePrice")
        notice_price_row.addWidget(self.notice_price_label)
        notice_price_row.addWidget(self.notice_price, 1)
        self.notice_mortgage_box = MortgageBox(self)
        notice_layout.addLayout(notice_price_row)
        notice_layout.addWidget(self.notice_mortgage_box)
        return notice_page

    def _build_bottom(self) -> None:
        """What is still missing, a refusal in red, and the buttons."""
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.accept_button = QPushButton(self.tr("受理（Ctrl+Enter）"), self)
        self.accept_button.setObjectName("acceptButton")
        self.cancel_button = QPushButton(self.tr("取消（Esc）"), self)

    def _lay_out(
        self, type_row: QHBoxLayout, parties_box: QGroupBox, terms_box: QGroupBox, materials_box: QGroupBox
    ) -> None:
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.unit_label)
        content_layout.addLayout(type_row)
        content_layout.addWidget(self.type_note)
        content_layout.addWidget(self.contract_note)
        content_layout.addWidget(self.warnings_label)
        content_layout.addWidget(parties_box, 3)
        middle = QHBoxLayout()
        middle.addWidget(terms_box, 1)
        middle.addWidget(materials_box, 1)
        content_layout.addLayout(middle, 2)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems_label, 1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    def _install_shortcuts(self) -> None:
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.run_prefill)
        QShortcut(QKeySequence(Qt.Key.Key_F6), self, self.choose_bank_contract)
        for keys in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(Qt.Modifier.CTRL | keys), self, self.accept_intake)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_M), self, self.mark_all_received)

    def _wire_signals(self) -> None:
        self.prefill_button.clicked.connect(self.run_prefill)
        self.contract_button.clicked.connect(self.choose_bank_contract)
        self.id_entry.returnPressed.connect(self.add_party_from_entry)
        self.remove_party_button.clicked.connect(self.remove_selected_party)
        self.party_table.itemChanged.connect(self._party_cell_changed)
        self.materials_table.itemChanged.connect(self._revalidate)
        self.all_received_button.clicked.connect(self.mark_all_received)
        self.accept_button.clicked.connect(self.accept_intake)
        self.cancel_button.clicked.connect(self.reject)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.notice_kind_combo.currentIndexChanged.connect(self._notice_kind_changed)
        self.co_ownership_combo.currentIndexChanged.connect(self._revalidate)
        # Before the quote hears of it: a new contract date changes the years held first.
        self.contract_date.dateChanged.connect(self._count_seller_years)
        for signal in (
            self.price_edit.textChanged,
            self.buyer_homes.valueChanged,
            self.seller_years.valueChanged,
            self.seller_only_home.toggled,
            self.contract_date.dateChanged,
            self.original_value.textChanged,
            self.district_combo.currentIndexChanged,
        ):
            signal.connect(self._update_quote)
        for signal in (
            self.price_edit.textChanged,
            self.notice_price.textChanged,
            self.mortgage_box.changed,
            self.notice_mortgage_box.changed,
            self.cancel_combo.currentIndexChanged,
        ):
            signal.connect(self._revalidate)

    # -- business type ------------------------------------------------------------------------------------
    @property
    def business(self) -> BusinessType:
        return self.policy.get(str(self.type_combo.currentData()))

    @property
    def notice_kind(self) -> AdvanceNoticeKind | None:
        if self.business.key != ADVANCE_NOTICE:
            return None
        return AdvanceNoticeKind(int(self.notice_kind_combo.currentData()))

    def set_business_type(self, key: str) -> None:
        self.type_combo.setCurrentIndex(self.type_combo.findData(key))

    def _type_changed(self, _index: int = 0) -> None:
        business = self.business
        self.prefilled = None
        self._forget_bank_contract()
        is_notice = business.key == ADVANCE_NOTICE
        self.notice_kind_label.setVisible(is_notice)
        self.notice_kind_combo.setVisible(is_notice)
        can_prefill = business.key in PREFILL_TYPES
        self.prefill_button.setEnabled(can_prefill)
        self.prefill_button.setToolTip("" if can_prefill else self.tr("该业务类型暂不支持预填，请在窗口录入"))
        self.terms_stack.setCurrentWidget(self._pages[business.key])
        self.id_role_combo.clear()
        for spec in business.roles:
            self.id_role_combo.addItem(spec.label, spec.role.value)
        self.type_note.setText(
            self.tr("承诺办结时限：{days}个工作日；{charged}。").format(
                days=business.time_limit_days,
                charged=self.tr("须缴纳税费") if business.charged else self.tr("不收费"),
            )
        )
        self.party_table.setRowCount(0)
        self.show_warnings(())
        self.show_error("")
        self._notice_kind_changed()

    def _notice_kind_changed(self, _index: int = 0) -> None:
        kind = self.notice_kind
        started = self.prefilled
        if started is not None and started.request.notice is not None and started.request.notice.kind != kind:
            # Who the obligor is depends on the kind (the developer sells, the buyer mortgages): the
            # parties prefilled for the other kind are taken again from the register.
            self.prefilled = None
            self.run_prefill()
        mortgage_kind = kind is not None and kind.is_mortgage
        if self.bank_contract is not None and not self.reads_bank_contracts:
            self._forget_bank_contract()
        self.contract_button.setVisible(self.reads_bank_contracts)
        self.notice_price_label.setVisible(kind is not None and not mortgage_kind)
        self.notice_price.setVisible(kind is not None and not mortgage_kind)
        self.notice_mortgage_box.setVisible(mortgage_kind)
        shows_co_ownership = self.business.key == TRANSFER or (kind is not None and not mortgage_kind)
        self.co_ownership_label.setVisible(shows_co_ownership)
        self.co_ownership_combo.setVisible(shows_co_ownership)
        self._rebuild_materials()
        self._update_quote()
        self._revalidate()

    # -- the request --------------------------------------------------------------------------------------
    def build_request(self) -> tuple[IntakeRequest | None, list[str]]:
        parties, problems = self.parties()
        business = self.business
        price: Money | None = None
        mortgage: MortgageTerms | None = None
        cancellation: CancellationTerms | None = None
        notice: NoticeTerms | None = None
        tax: TransferTaxFacts | None = None
        if business.key == TRANSFER:
            try:
                price = parse_money(self.price_edit.text())
            except MoneyError:
                problems.append(self.tr("请填写成交价格（元）"))
            try:
                tax = self.tax_facts()
            except MoneyError:
                problems.append(self.tr("房屋原值须为金额（元），或留空"))
        elif business.key == MORTGAGE_FIRST:
            found = self.mortgage_box.problems()
            problems.extend(found)
            mortgage = None if found else self.mortgage_box.terms()
        elif business.key == MORTGAGE_CANCEL:
            if self.cancel_combo.currentData() is None:
                problems.append(self.tr("该单元没有可注销的现势抵押权"))
            else:
                cancellation = CancellationTerms(
                    str(self.cancel_combo.currentData()),
                    MortgageCancelReason(self.cancel_reason.currentData()),
                    self.cancel_note.text().strip(),
                )
        elif business.key == ADVANCE_NOTICE:
            kind = self.notice_kind
            assert kind is not None
            if kind.is_mortgage:
                found = self.notice_mortgage_box.problems()
                problems.extend(found)
                notice = NoticeTerms(kind, mortgage=None if found else self.notice_mortgage_box.terms())
            else:
                try:
                    notice = NoticeTerms(kind, price=parse_money(self.notice_price.text()))
                except MoneyError:
                    problems.append(self.tr("请填写买卖价格（元）"))
        if problems:
            return None, problems
        request = IntakeRequest(
            business_type=business.key,
            unit_number=self.unit.unit_number,
            parties=tuple(parties),
            co_ownership=self._co_ownership(),
            materials=self._materials(),
            price=price,
            mortgage=mortgage,
            cancellation=cancellation,
            notice=notice,
            tax=tax,
        )
        return request, []

    def _revalidate(self, *_args: Any) -> None:
        _request, problems = self.build_request()
        if problems:
            self.problems_label.setText(self.tr("尚需：") + self._listed(problems))
        else:
            self.problems_label.setText(self.tr("填写完整，可以受理（Ctrl+Enter）。"))
        self.problems_label.setProperty("error", bool(problems))
        self.problems_label.style().unpolish(self.problems_label)
        self.problems_label.style().polish(self.problems_label)
        materials = self._materials()
        required = {m.code: m.name for m in self.business.materials if m.required}
        missing = [
            required[c] for c, status in materials.items() if status == MATERIAL_MISSING and c in required
        ]
        self.notice_once_label.setText(
            self.tr("一次性告知，尚缺：{names}（可先受理，登簿前须补齐）").format(names="、".join(missing))
            if missing
            else self.tr("材料齐全。")
        )

    def problems(self) -> list[str]:
        return self.build_request()[1]

    def show_warnings(self, warnings: tuple[str, ...] | list[str]) -> None:
        self.warnings_label.setText("\n".join(warnings))
        self.warnings_label.setVisible(bool(warnings))

    def _listed(self, items: list[str]) -> str:
        """Problems one after another, with the separator of the UI's language."""
        return self.tr("；", "separator between listed problems").join(items)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
