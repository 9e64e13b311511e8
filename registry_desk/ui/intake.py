"""The intake (受理) of one unit's application for any business type: parties, terms, materials, prefill, accept."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_MISSING,
    MATERIAL_PAPER,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    AgentInput,
    BusinessType,
    CancellationTerms,
    CaseSummary,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
    TransferTaxFacts,
)
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RightType,
)
from registry_desk.domain.errors import DomainError
from registry_desk.domain.identifiers import validate_resident_id, validate_uscc
from registry_desk.domain.money import Money, MoneyError
from registry_desk.domain.taxes import full_years
from registry_desk.registration import cases
from registry_desk.payments import service as payment_flow
from registry_desk.registration import prefill, prefill_form
from registry_desk.registration import register
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

PREFILL_TYPES = (TRANSFER, MORTGAGE_FIRST, MORTGAGE_CANCEL, ADVANCE_NOTICE)
_TEN_THOUSAND = Decimal(10000)


def parse_money(text: str, *, in_wan: bool = False) -> Money:
    """What the clerk typed as an amount (yuan or 万元, thousands separators allowed): exact, never float."""
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").removesuffix("万")
    if not cleaned:
        raise MoneyError("空")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise MoneyError(cleaned) from error
    if in_wan:
        value *= _TEN_THOUSAND
    return Money.yuan(value)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class SourceLabel(QLabel):
    """The small grey "来自 …" beside a prefilled field: the clerk sees where each value came from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceLabel")
        self.setWordWrap(True)

    def set_source(self, text: str | None) -> None:
        self.setText(text or "")
        self.setToolTip(text or "")
        self.setVisible(bool(text))


class MortgageBox(QWidget):
    """抵押方式, amount (元 or 万元, labelled), 债务履行期限, 担保范围, 禁止转让 — for a mortgage or a 抵押权预告."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox(self)
        for mode in MortgageMode:
            self.mode.addItem(mode.label, mode.value)
        self.amount_label = QLabel(self)
        self.amount = QLineEdit(self)
        self.amount.setObjectName("mortgageAmount")
        self.amount_unit = QComboBox(self)
        self.amount_unit.addItem(self.tr("万元"), True)
        self.amount_unit.addItem(self.tr("元"), False)
        self.start = QDateEdit(self)
        self.end = QDateEdit(self)
        today = date.today()
        for edit, day in ((self.start, today), (self.end, today.replace(year=today.year + 20))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(day))
        self.scope = QLineEdit(MortgageTerms.__dataclass_fields__["guarantee_scope"].default, self)
        self.no_transfer = QCheckBox(self.tr("约定禁止或限制转让抵押不动产"), self)
        # Optional, as on the 证明: left empty when the contract does not state them.
        self.area = QLineEdit(self)
        self.area.setObjectName("mortgagedArea")
        self.assessed = QLineEdit(self)
        self.assessed.setObjectName("assessedValue")
        self.sources: dict[str, SourceLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.amount_unit)
        rows: list[tuple[str, Any, str]] = [
            ("mode", self.mode, self.tr("抵押方式：")),
            ("amount", amount_row, ""),
            ("debt_start", self.start, self.tr("债务履行期限（起）：")),
            ("debt_end", self.end, self.tr("债务履行期限（止）：")),
            ("guarantee_scope", self.scope, self.tr("担保范围：")),
            ("no_transfer", self.no_transfer, self.tr("禁止转让：")),
            ("mortgaged_area", self.area, self.tr("抵押面积（㎡，可空）：")),
            ("assessed_value", self.assessed, self.tr("评估价值（元，可空）：")),
        ]
        for key, widget, label in rows:
            source = SourceLabel(self)
            source.set_source(None)
            self.sources[key] = source
            holder = QVBoxLayout()
            holder.setSpacing(0)
            if isinstance(widget, QHBoxLayout):
                holder.addLayout(widget)
            else:
                holder.addWidget(widget)
            holder.addWidget(source)
            form.addRow(self.amount_label if key == "amount" else QLabel(label, self), holder)
        self.mode.currentIndexChanged.connect(self._relabel)
        self.amount_unit.currentIndexChanged.connect(self._relabel)
        for signal in (
            self.mode.currentIndexChanged,
            self.amount.textChanged,
            self.amount_unit.currentIndexChanged,
            self.start.dateChanged,
            self.end.dateChanged,
            self.scope.textChanged,
            self.no_transfer.toggled,
            self.area.textChanged,
            self.assessed.textChanged,
        ):
            signal.connect(self.changed)
        self._relabel()

    def _relabel(self) -> None:
        maximum = self.mode.currentData() == MortgageMode.MAXIMUM.value
        unit = self.amount_unit.currentText()
        if maximum:
            self.amount_label.setText(self.tr("最高债权额（{unit}）：").format(unit=unit))
        else:
            self.amount_label.setText(self.tr("被担保主债权数额（{unit}）：").format(unit=unit))

    def problems(self) -> list[str]:
        found = []
        try:
            if parse_money(self.amount.text(), in_wan=bool(self.amount_unit.currentData())).fen <= 0:
                found.append(self.tr("债权数额须大于0"))
        except MoneyError:
            found.append(self.tr("请填写债权数额（数字，最多精确到分）"))
        if self.end.date() <= self.start.date():
            found.append(self.tr("债务履行期限的止日须晚于起日"))
        try:
            self._area()
        except (InvalidOperation, ValueError):
            found.append(self.tr("抵押面积须为正数，最多两位小数（平方米），或留空"))
        try:
            self._assessed()
        except MoneyError:
            found.append(self.tr("评估价值须为金额（元），或留空"))
        return found

    def _area(self) -> Decimal | None:
        text = self.area.text().strip().removesuffix("㎡")
        if not text:
            return None
        area = Decimal(text)
        if not area.is_finite() or area <= 0 or area != area.quantize(Decimal("0.01")):
            raise ValueError(text)
        return area

    def _assessed(self) -> Money | None:
        text = self.assessed.text().strip().removesuffix("元")
        return parse_money(text) if text else None

    def terms(self) -> MortgageTerms:
        return MortgageTerms(
            mode=MortgageMode(self.mode.currentData()),
            amount=parse_money(self.amount.text(), in_wan=bool(self.amount_unit.currentData())),
            debt_start=_pydate(self.start.date()),
            debt_end=_pydate(self.end.date()),
            guarantee_scope=self.scope.text().strip(),
            no_transfer=self.no_transfer.isChecked(),
            mortgaged_area=self._area(),
            assessed_value=self._assessed(),
        )

    def set_terms(self, terms: MortgageTerms, sources: dict[str, str]) -> None:
        self.mode.setCurrentIndex(self.mode.findData(terms.mode.value))
        if terms.amount is not None:
            # Shown in 元 exactly as registered: converting to 万元 could hide the last fen.
            self.amount_unit.setCurrentIndex(self.amount_unit.findData(False))
            self.amount.setText(str(terms.amount))
        self.start.setDate(_qdate(terms.debt_start))
        self.end.setDate(_qdate(terms.debt_end))
        self.scope.setText(terms.guarantee_scope)
        self.no_transfer.setChecked(terms.no_transfer)
        self.area.setText("" if terms.mortgaged_area is None else f"{terms.mortgaged_area:.2f}")
        self.assessed.setText("" if terms.assessed_value is None else str(terms.assessed_value))
        for key, label in self.sources.items():
            label.set_source(sources.get(key))


class PartyTable(QTableWidget):
    """One row per party: role, name, 证件种类, 证件号码, share, address, phone, agent; the last column says
    where the row came from. Committing an ID number (Enter) on a row without a name fills the person."""

    # 来源 sits right after the number, where the clerk's eye checks a prefilled person.
    ROLE, NAME, ID_TYPE, ID_NUMBER, SOURCE, SHARE, ADDRESS, PHONE, AGENT_NAME, AGENT_ID, LEGAL_REP = range(11)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 11, parent)
        self.setObjectName("partiesTable")
        self.setHorizontalHeaderLabels(
            [
                self.tr("角色"),
                self.tr("姓名/名称"),
                self.tr("证件种类"),
                self.tr("证件号码"),
                self.tr("来源"),
                self.tr("份额"),
                self.tr("通讯地址"),
                self.tr("联系电话"),
                self.tr("代理人"),
                self.tr("代理人身份证号"),
                self.tr(
                    "法定代表人"
                ),  # a legal person's (a bank's, a developer's); kept as the register has it
            ]
        )
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in (
            (self.ROLE, 130),
            (self.NAME, 120),
            (self.ID_TYPE, 120),
            (self.ID_NUMBER, 165),
            (self.SOURCE, 230),
            (self.SHARE, 50),
            (self.ADDRESS, 150),
            (self.PHONE, 100),
            (self.AGENT_NAME, 70),
            (self.AGENT_ID, 150),
        ):
            self.setColumnWidth(column, width)

    def role_of(self, row: int) -> PartyRole:
        item = self.item(row, self.ROLE)
        assert item is not None
        return PartyRole(item.data(Qt.ItemDataRole.UserRole))

    def id_type_of(self, row: int) -> IdType:
        combo = self.cellWidget(row, self.ID_TYPE)
        assert isinstance(combo, QComboBox)
        return IdType(combo.currentData())

    def text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text().strip() if item is not None else ""

    def set_text(self, row: int, column: int, value: str | None, source: str | None = None) -> None:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(row, column, item)
        item.setText(value or "")
        item.setToolTip(source or "")

    def add_row(self, role: PartyRole, role_label: str, party: PartyInput | None, source: str | None) -> int:
        row = self.rowCount()
        self.blockSignals(True)
        try:
            self.insertRow(row)
            role_item = QTableWidgetItem(role_label)
            role_item.setData(Qt.ItemDataRole.UserRole, role.value)
            role_item.setFlags(role_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, self.ROLE, role_item)
            combo = QComboBox(self)
            for id_type in IdType:
                combo.addItem(id_type.label, id_type.value)
            self.setCellWidget(row, self.ID_TYPE, combo)
            for column in range(self.NAME, self.columnCount()):
                if column != self.ID_TYPE:
                    self.set_text(row, column, "")
            source_item = self.item(row, self.SOURCE)
            assert source_item is not None
            source_item.setFlags(source_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if party is not None:
                self.fill_row(row, party, source)
            elif source:
                self.set_text(row, self.SOURCE, source, source)
        finally:
            self.blockSignals(False)
        return row

    def fill_row(
        self, row: int, party: PartyInput, source: str | None, *, contact_source: str | None = None
    ) -> None:
        was = self.blockSignals(True)
        try:
            combo = self.cellWidget(row, self.ID_TYPE)
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(combo.findData(party.id_type.value))
            combo.setToolTip(source or "")
            self.set_text(row, self.NAME, party.name, source)
            self.set_text(row, self.ID_NUMBER, party.id_number, source)
            if party.share is not None:
                self.set_text(row, self.SHARE, f"{party.share.numerator}/{party.share.denominator}", source)
            self.set_text(row, self.ADDRESS, party.address, contact_source or source)
            self.set_text(row, self.PHONE, party.phone, contact_source or source)
            if party.agent is not None:
                self.set_text(row, self.AGENT_NAME, party.agent.name)
                self.set_text(row, self.AGENT_ID, party.agent.id_number)
            self.set_text(row, self.LEGAL_REP, party.legal_rep_name, contact_source or source)
            self.set_text(row, self.SOURCE, source or self.tr("窗口录入"), source)
        finally:
            self.blockSignals(was)


class IntakeDialog(QDialog):
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
        self.today = cases.local_date(utc_now())
        self.unit = register.unit_register(db, actor, unit_number)
        self.summary: CaseSummary | None = None
        self.receipt_preview: PdfPreviewDialog | None = None  # the first copy (买方联 for a resale)
        self.receipt_previews: list[PdfPreviewDialog] = []
        self.acceptance: payment_flow.Acceptance | None = None
        self._channel: Any = None
        self.prefilled: prefill_form.Prefill | None = None
        self.setWindowTitle(self.tr("受理业务 — {unit}").format(unit=unit_number))

        # -- unit and type ------------------------------------------------------------------------------
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
        self.prefill_button.clicked.connect(self.run_prefill)
        # A mortgage without a notice: the bank's sealed contract carries the figures (免填写, 免盖章).
        self.contract_button = QPushButton(self.tr("读取银行抵押合同（F6）"), self)
        self.contract_button.setObjectName("contractButton")
        self.contract_button.setToolTip(
            self.tr("读取银行加盖电子签章的抵押合同：核验签章后按合同数据预填，受理后作为电子签章件收取")
        )
        self.contract_button.clicked.connect(self.choose_bank_contract)
        self.contract_note = QLabel(self)
        self.contract_note.setObjectName("hint")
        self.contract_note.setWordWrap(True)
        self.contract_note.hide()
        self.bank_contract: Any = None  # a bank_contracts.BankContract once read and verified
        self.bank_contract_path: Path | None = None
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

        # -- parties ------------------------------------------------------------------------------------
        self.id_entry = QLineEdit(self)
        self.id_entry.setObjectName("idEntry")
        self.id_entry.setPlaceholderText(self.tr("刷身份证或输入证件号码后按回车"))
        self.id_entry.returnPressed.connect(self.add_party_from_entry)
        self.id_role_combo = QComboBox(self)
        self.id_role_combo.setObjectName("idRole")
        self.remove_party_button = QPushButton(self.tr("删除所选当事人"), self)
        self.remove_party_button.clicked.connect(self.remove_selected_party)
        self.co_ownership_label = QLabel(self.tr("共有方式："), self)
        self.co_ownership_combo = QComboBox(self)
        self.co_ownership_combo.setObjectName("coOwnership")
        for mode in CoOwnership:
            self.co_ownership_combo.addItem(mode.label, mode.value)
        self.co_ownership_source = SourceLabel(self)
        self.co_ownership_source.set_source(None)
        self.party_table = PartyTable(self)
        self.party_table.itemChanged.connect(self._party_cell_changed)
        entry_row = QHBoxLayout()
        entry_row.addWidget(QLabel(self.tr("添加为："), self))
        entry_row.addWidget(self.id_role_combo)
        entry_row.addWidget(self.id_entry, 1)
        entry_row.addWidget(self.co_ownership_label)
        entry_row.addWidget(self.co_ownership_combo)
        entry_row.addWidget(self.co_ownership_source)
        entry_row.addWidget(self.remove_party_button)
        parties_box = QGroupBox(self.tr("申请人"), self)
        parties_layout = QVBoxLayout(parties_box)
        parties_layout.addLayout(entry_row)
        parties_layout.addWidget(self.party_table)

        # -- terms --------------------------------------------------------------------------------------
        self.terms_stack = QStackedWidget(self)
        # transfer
        transfer_page = QWidget(self)
        transfer_form = QFormLayout(transfer_page)
        self.price_edit = QLineEdit(self)
        self.price_edit.setObjectName("priceEdit")
        self.price_edit.setPlaceholderText(self.tr("合同成交价格，单位：元"))
        self.price_source = SourceLabel(self)
        self.price_source.set_source(None)
        self.buyer_homes = QSpinBox(self)
        self.buyer_homes.setRange(1, 9)
        self.seller_years = QSpinBox(self)
        self.seller_years.setObjectName("sellerYears")
        self.seller_years.setRange(0, 70)
        self.seller_years.setValue(5)
        self.seller_years_source = SourceLabel(self)
        self.seller_years_source.set_source(None)
        # From the prefill: when the sellers' ownership was entered in the register. The years held are then
        # counted to the contract date, not left at a default the clerk might not change.
        self.seller_since: date | None = None
        self.seller_only_home = QCheckBox(self.tr("是卖方家庭唯一住房"), self)
        # The tax facts of 税费同缴, prefilled with defaults the clerk confirms (the contract's date, the
        # unit's district by its county code, no proven original value → 个税 at the deemed rate).
        defaults = payment_flow.default_tax_facts(unit_number[:6], self.today)
        self.contract_date = QDateEdit(self)
        self.contract_date.setObjectName("contractDate")
        self.contract_date.setCalendarPopup(True)
        self.contract_date.setDisplayFormat("yyyy-MM-dd")
        self.contract_date.setDate(_qdate(defaults.contract_date))
        self.original_value = QLineEdit(self)
        self.original_value.setObjectName("originalValue")
        self.original_value.setPlaceholderText(
            self.tr("房屋原值（元），未能提供原值凭证的留空，个税按核定征收")
        )
        self.district_combo = QComboBox(self)
        self.district_combo.setObjectName("district")
        from registry_desk.domain.taxes import District

        for district in District:
            self.district_combo.addItem(district.label, district.value)
        self.district_combo.setCurrentIndex(self.district_combo.findData(defaults.district))
        self.quote_label = QLabel(self)
        self.quote_label.setObjectName("quote")
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        price_box = QVBoxLayout()
        price_box.setSpacing(0)
        price_box.addWidget(self.price_edit)
        price_box.addWidget(self.price_source)
        transfer_form.addRow(self.tr("成交价格（元）："), price_box)
        transfer_form.addRow(self.tr("买方家庭住房套数（含本套）："), self.buyer_homes)
        years_box = QVBoxLayout()
        years_box.setSpacing(0)
        years_box.addWidget(self.seller_years)
        years_box.addWidget(self.seller_years_source)
        transfer_form.addRow(self.tr("卖方持有满（年）："), years_box)
        transfer_form.addRow("", self.seller_only_home)
        transfer_form.addRow(self.tr("合同签订日期："), self.contract_date)
        transfer_form.addRow(self.tr("房屋原值（元）："), self.original_value)
        transfer_form.addRow(self.tr("房屋所在地区（城建税）："), self.district_combo)
        transfer_form.addRow(self.tr("税费试算："), self.quote_label)
        # mortgage
        self.mortgage_box = MortgageBox(self)
        self.mortgage_box.setObjectName("mortgageTerms")
        # cancellation
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
        # notice
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

        # -- materials ----------------------------------------------------------------------------------
        self.materials_table = QTableWidget(0, 3, self)
        self.materials_table.setObjectName("materialsTable")
        self.materials_table.setHorizontalHeaderLabels(
            [self.tr("材料（勾选＝已收纸质件）"), self.tr("必需"), self.tr("可替代纸质件")]
        )
        self.materials_table.verticalHeader().hide()
        self.materials_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.materials_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.materials_table.horizontalHeader().setStretchLastSection(True)
        self.materials_table.itemChanged.connect(self._revalidate)
        self.all_received_button = QPushButton(self.tr("全部已收（Ctrl+M）"), self)
        self.all_received_button.clicked.connect(self.mark_all_received)
        self.notice_once_label = QLabel(self)
        self.notice_once_label.setObjectName("missingMaterials")
        self.notice_once_label.setWordWrap(True)
        materials_box = QGroupBox(self.tr("申请材料"), self)
        materials_layout = QVBoxLayout(materials_box)
        materials_layout.addWidget(self.materials_table)
        materials_bottom = QHBoxLayout()
        materials_bottom.addWidget(self.notice_once_label, 1)
        materials_bottom.addWidget(self.all_received_button)
        materials_layout.addLayout(materials_bottom)

        # -- bottom -------------------------------------------------------------------------------------
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
        self.accept_button.clicked.connect(self.accept_intake)
        self.cancel_button = QPushButton(self.tr("取消（Esc）"), self)
        self.cancel_button.clicked.connect(self.reject)

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

        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.run_prefill)
        QShortcut(QKeySequence(Qt.Key.Key_F6), self, self.choose_bank_contract)
        for keys in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(Qt.Modifier.CTRL | keys), self, self.accept_intake)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_M), self, self.mark_all_received)

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

    # -- parties ------------------------------------------------------------------------------------------
    def add_party(
        self, party: PartyInput, source: str | None = None, *, contact_source: str | None = None
    ) -> int:
        label = self.business.role_label(party.role)
        row = self.party_table.add_row(party.role, label, None, None)
        self.party_table.fill_row(row, party, source, contact_source=contact_source)
        self._revalidate()
        return row

    def suggest_role(self) -> None:
        """The card reader's next party goes to the first role still short of applicants (the buyer after
        the sellers were prefilled)."""
        counts = {r: 0 for r in PartyRole}
        for row in range(self.party_table.rowCount()):
            counts[self.party_table.role_of(row)] += 1
        for spec in self.business.roles:
            if counts[spec.role] < max(spec.min_count, 1):
                self.id_role_combo.setCurrentIndex(self.id_role_combo.findData(spec.role.value))
                return

    def add_party_from_entry(self) -> None:
        """A card reader types the ID number and Enter: the person is filled from known records, or a new
        row waits for the name."""
        number = self.id_entry.text().strip().upper()
        if not number:
            return
        role = PartyRole(self.id_role_combo.currentData())
        try:
            known = prefill.identify(self.db, self.actor, number, role=role)
        except DomainError as error:
            self.show_error(str(error))
            return
        self.id_entry.clear()
        if known is not None:
            source = self.tr("来自 当事人档案 {name}（{number}）").format(
                name=known.name, number=known.id_number
            )
            self.add_party(known, source)
            return
        id_type = IdType.USCC if len(number) == 18 and not number[:17].isdigit() else IdType.RESIDENT_ID
        row = self.add_party(PartyInput(role, "", id_type, number), self.tr("窗口录入"))
        # The register does not know this person: the clerk types the name from the ID card.
        self.party_table.setCurrentCell(row, PartyTable.NAME)
        self.party_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected_party(self) -> None:
        row = self.party_table.currentRow()
        if row >= 0:
            self.party_table.removeRow(row)
            self._revalidate()

    def _party_cell_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == PartyTable.ID_NUMBER and not self.party_table.text(item.row(), PartyTable.NAME):
            number = item.text().strip().upper()
            if number:
                try:
                    known = prefill.identify(
                        self.db, self.actor, number, role=self.party_table.role_of(item.row())
                    )
                except DomainError as error:
                    self.show_error(str(error))
                    known = None
                if known is not None:
                    source = self.tr("来自 当事人档案 {name}（{number}）").format(
                        name=known.name, number=known.id_number
                    )
                    self.party_table.fill_row(item.row(), known, source)
        if item.column() == PartyTable.AGENT_NAME:
            self._rebuild_materials()  # an agent brings the 授权委托书 into the list
        self._revalidate()

    def parties(self) -> tuple[list[PartyInput], list[str]]:
        """The parties as typed, with what is wrong with them."""
        t = self.party_table
        found: list[PartyInput] = []
        problems: list[str] = []
        by_shares = self._co_ownership() is CoOwnership.BY_SHARES
        for row in range(t.rowCount()):
            role = t.role_of(row)
            label = self.business.role_label(role)
            name = t.text(row, PartyTable.NAME)
            id_type = t.id_type_of(row)
            number = t.text(row, PartyTable.ID_NUMBER).upper()
            where = self.tr("第{n}行（{role}）").format(n=row + 1, role=label)
            if not name:
                problems.append(self.tr("{where}须填写姓名或名称").format(where=where))
            try:
                if id_type is IdType.RESIDENT_ID:
                    number = validate_resident_id(number, today=self.today)
                elif id_type is IdType.USCC:
                    number = validate_uscc(number)
                elif not number:
                    raise ValueError
            except (DomainError, ValueError):
                problems.append(
                    self.tr("{where}的{kind}号码“{number}”无效").format(
                        where=where, kind=id_type.label, number=number
                    )
                )
            share: Fraction | None = None
            share_text = t.text(row, PartyTable.SHARE)
            if role is PartyRole.RIGHT_HOLDER and by_shares:
                try:
                    share = Fraction(share_text)
                except (ValueError, ZeroDivisionError):
                    problems.append(self.tr("{where}按份共有须填写份额（如 1/2）").format(where=where))
            agent = None
            agent_name = t.text(row, PartyTable.AGENT_NAME)
            agent_number = t.text(row, PartyTable.AGENT_ID).upper()
            if agent_name or agent_number:
                try:
                    agent_number = validate_resident_id(agent_number, today=self.today)
                except DomainError:
                    problems.append(self.tr("{where}的代理人身份证号码无效").format(where=where))
                agent = AgentInput(agent_name, IdType.RESIDENT_ID, agent_number)
            found.append(
                PartyInput(
                    role=role,
                    name=name,
                    id_type=id_type,
                    id_number=number,
                    share=share,
                    address=t.text(row, PartyTable.ADDRESS) or None,
                    phone=t.text(row, PartyTable.PHONE) or None,
                    legal_rep_name=(t.text(row, PartyTable.LEGAL_REP) or None)
                    if id_type is IdType.USCC
                    else None,
                    agent=agent,
                )
            )
        for spec in self.business.roles:
            count = sum(1 for p in found if p.role is spec.role)
            if count < spec.min_count:
                problems.append(
                    self.tr("须有{label}（至少{n}位）").format(label=spec.label, n=spec.min_count)
                )
            if spec.max_count is not None and count > spec.max_count:
                problems.append(self.tr("{label}最多{n}位").format(label=spec.label, n=spec.max_count))
        return found, problems

    def _co_ownership(self) -> CoOwnership | None:
        if not self.co_ownership_combo.isVisibleTo(self):
            return None
        holders = sum(
            1
            for r in range(self.party_table.rowCount())
            if self.party_table.role_of(r) is PartyRole.RIGHT_HOLDER
        )
        if holders < 2 and CoOwnership(self.co_ownership_combo.currentData()) is CoOwnership.SOLE:
            return None
        return CoOwnership(self.co_ownership_combo.currentData())

    # -- materials ----------------------------------------------------------------------------------------
    def _has_agent(self) -> bool:
        t = self.party_table
        return any(t.text(r, PartyTable.AGENT_NAME) for r in range(t.rowCount()))

    def _rebuild_materials(self) -> None:
        kept = self.received_materials()
        self.materials_table.blockSignals(True)
        try:
            specs = [
                m
                for m in self.business.materials
                if m.applies(has_agent=self._has_agent(), notice_kind=self.notice_kind)
            ]
            self.materials_table.setRowCount(len(specs))
            for row, spec in enumerate(specs):
                item = QTableWidgetItem(spec.name)
                item.setData(Qt.ItemDataRole.UserRole, spec.code)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                )
                item.setCheckState(Qt.CheckState.Checked if spec.code in kept else Qt.CheckState.Unchecked)
                self.materials_table.setItem(row, 0, item)
                self.materials_table.setItem(
                    row, 1, QTableWidgetItem(self.tr("是") if spec.required else self.tr("否"))
                )
                alternatives = [
                    text
                    for ok, text in (
                        (spec.ecert_ok, self.tr("电子证照")),
                        (spec.sealed_ok, self.tr("电子签章件")),
                    )
                    if ok
                ]
                self.materials_table.setItem(row, 2, QTableWidgetItem("、".join(alternatives)))
        finally:
            self.materials_table.blockSignals(False)
        self._revalidate()

    def received_materials(self) -> set[str]:
        t = self.materials_table
        return {
            str(item.data(Qt.ItemDataRole.UserRole))
            for r in range(t.rowCount())
            if (item := t.item(r, 0)) is not None and item.checkState() == Qt.CheckState.Checked
        }

    def mark_all_received(self) -> None:
        t = self.materials_table
        t.blockSignals(True)
        for r in range(t.rowCount()):
            item = t.item(r, 0)
            if item is not None:
                item.setCheckState(Qt.CheckState.Checked)
        t.blockSignals(False)
        self._revalidate()

    def _materials(self) -> dict[str, str]:
        received = self.received_materials()
        t = self.materials_table
        codes = [
            str(item.data(Qt.ItemDataRole.UserRole)) for r in range(t.rowCount()) if (item := t.item(r, 0))
        ]
        return {code: MATERIAL_PAPER if code in received else MATERIAL_MISSING for code in codes}

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

    # -- trial quote --------------------------------------------------------------------------------------
    def tax_facts(self) -> TransferTaxFacts:
        """What the clerk confirmed for the transfer's taxes (raises MoneyError on a bad original value)."""
        text = self.original_value.text().strip()
        return TransferTaxFacts(
            contract_date=_pydate(self.contract_date.date()),
            buyer_homes=self.buyer_homes.value(),
            seller_years=self.seller_years.value(),
            seller_only_home=self.seller_only_home.isChecked(),
            original_value=parse_money(text) if text else None,
            district=str(self.district_combo.currentData()),
        )

    def _update_quote(self, *_args: Any) -> None:
        if self.business.key != TRANSFER:
            self.quote_label.setText("")
            return
        from registry_desk.domain.fees import Business
        from registry_desk.domain.quote_request import build_quote_request
        from registry_desk.kernel.quote import compute_quote

        try:
            price = parse_money(self.price_edit.text())
        except MoneyError:
            self.quote_label.setText(self.tr("填写成交价格后显示契税、增值税、个人所得税和登记费试算。"))
            return
        try:
            facts = self.tax_facts()
        except MoneyError:
            self.quote_label.setText(self.tr("房屋原值须为金额（元），或留空"))
            return
        parties, _problems = self.parties()
        unit = self.unit.quoted
        if unit is None:
            return
        try:
            # The same builder billing uses (payment_flow.quote_for_case): the unit's own use and area.
            quote = compute_quote(
                build_quote_request(
                    Business.TRANSFER,
                    on=self.today,
                    unit=unit,
                    holders_wanting_own=sum(
                        1 for p in parties if p.role is PartyRole.RIGHT_HOLDER and p.wants_own_certificate
                    ),
                    price=price,
                    tax_facts=facts,
                    record=self.unit.unit_number,
                )
            )
        except DomainError as error:
            self.quote_label.setText(str(error))
            return
        lines = [
            f"{line.item}（{line.payer.label}）：{line.amount}元" for line in quote.lines if line.amount.fen
        ]
        totals = "；".join(
            f"{payer.label}合计{amount}元" for payer, amount in quote.totals_by_payer().items()
        )
        # What the quote leaves out (a shop's seller taxes are assessed by the tax bureau) is said, not hidden.
        notes = [self.tr("注：{note}").format(note=note) for note in quote.notes]
        self.quote_label.setText("\n".join([*lines, totals, *notes, self.tr("（试算，以税务机关核定为准）")]))

    # -- prefill ------------------------------------------------------------------------------------------
    def run_prefill(self) -> None:
        business = self.business
        if business.key not in PREFILL_TYPES:
            return
        mortgage = str(self.cancel_combo.currentData()) if business.key == MORTGAGE_CANCEL else None
        if business.key == MORTGAGE_CANCEL and self.cancel_combo.currentData() is None:
            mortgage = None
        try:
            if self.reads_bank_contracts and self.bank_contract is not None:
                from registry_desk.exemptions import bank_contracts

                result = bank_contracts.prefill_from_contract(
                    self.db,
                    self.actor,
                    self.bank_contract,
                    business_type=business.key,
                    notice_kind=self.notice_kind,
                )
            else:
                result = prefill.prefill(
                    self.db,
                    self.actor,
                    business.key,
                    self.unit.unit_number,
                    mortgage=mortgage,
                    notice_kind=self.notice_kind,
                )
        except DomainError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        self.apply_prefill(result)

    @property
    def reads_bank_contracts(self) -> bool:
        """A first mortgage or an 抵押权预告: the bank's sealed contract can fill it (F6)."""
        kind = self.notice_kind
        return self.business.key == MORTGAGE_FIRST or (kind is not None and kind.is_mortgage)

    def choose_bank_contract(self) -> None:
        """F6: the clerk picks the bank's sealed contract (banks deliver them to the data dir's bank_inbox)."""
        if not self.reads_bank_contracts:
            return
        folder = self.settings.bank_inbox_dir
        with contextlib.suppress(OSError):  # an unwritable data dir: the dialog still opens, elsewhere
            folder.mkdir(parents=True, exist_ok=True)
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("读取银行抵押合同"), str(folder), self.tr("电子签章 PDF (*.pdf)")
        )
        if path:
            self.read_bank_contract_file(Path(path))

    def read_bank_contract_file(self, path: Path) -> bool:
        """Verifies the contract's seal, reads its data and prefills the mortgage from it; refusals show in red."""
        from registry_desk.exemptions import bank_contracts
        from registry_desk.registration import issuing

        try:
            pdf = path.read_bytes()
        except OSError as error:
            self.show_error(
                self.tr("无法读取文件 {name}：{error}").format(name=path.name, error=error.strerror or error)
            )
            return False
        try:
            trust = issuing.centre_kit(self.settings).trust
            contract = bank_contracts.read_bank_contract(
                pdf, trust, unit_number=self.unit.unit_number, source=path.name
            )
            result = bank_contracts.prefill_from_contract(
                self.db, self.actor, contract, business_type=self.business.key, notice_kind=self.notice_kind
            )
        except DomainError as error:
            self.show_error(str(error))
            return False
        self.show_error("")
        self.bank_contract = contract
        self.bank_contract_path = path
        self.apply_prefill(result)
        self._check_material("mortgage_contract")
        self.contract_note.setText(
            self.tr("银行抵押合同 {number}：{bank} 电子签章已核验；受理后作为电子签章件收取").format(
                number=contract.data.contract_no, bank=contract.signer_org
            )
        )
        self.contract_note.show()
        return True

    def _forget_bank_contract(self) -> None:
        self.bank_contract = None
        self.bank_contract_path = None
        self.contract_note.clear()
        self.contract_note.hide()

    def _check_material(self, code: str) -> None:
        t = self.materials_table
        for r in range(t.rowCount()):
            item = t.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked)

    def apply_prefill(self, result: prefill_form.Prefill) -> None:
        self.prefilled = result
        request = result.request
        sources = {path: source.text for path, source in result.sources.items()}
        self.party_table.setRowCount(0)
        for index, party in enumerate(request.parties):
            self.add_party(
                party,
                sources.get(f"parties[{index}].name"),
                contact_source=sources.get(f"parties[{index}].address")
                or sources.get(f"parties[{index}].phone"),
            )
        if request.co_ownership is not None:
            self.co_ownership_combo.setCurrentIndex(
                self.co_ownership_combo.findData(request.co_ownership.value)
            )
        self.co_ownership_source.set_source(sources.get("co_ownership"))
        if request.price is not None:
            self.price_edit.setText(str(request.price))
        self.price_source.set_source(sources.get("price"))
        if request.mortgage is not None:
            self.mortgage_box.set_terms(
                request.mortgage,
                {k.removeprefix("mortgage."): v for k, v in sources.items() if k.startswith("mortgage.")},
            )
        if request.notice is not None and request.notice.mortgage is not None:
            self.notice_mortgage_box.set_terms(
                request.notice.mortgage,
                {
                    k.removeprefix("notice.mortgage."): v
                    for k, v in sources.items()
                    if k.startswith("notice.mortgage.")
                },
            )
        if request.cancellation is not None:
            index = self.cancel_combo.findData(request.cancellation.mortgage)
            if index >= 0:
                self.cancel_combo.setCurrentIndex(index)
            self.cancel_reason.setCurrentIndex(self.cancel_reason.findData(request.cancellation.reason.value))
            self.cancel_source.set_source(sources.get("cancellation.mortgage"))
        since = result.display.get(prefill_form.SELLER_SINCE)
        if since:
            self.seller_since = date.fromisoformat(since)
            self._count_seller_years()
            self.seller_years_source.set_source(
                self.tr("{source}，持有年限按登簿日期 {since} 计至合同签订日期").format(
                    source=sources.get(prefill_form.SELLER_SINCE, ""), since=since
                )
            )
        self.show_warnings(result.warnings)
        self.suggest_role()
        self._revalidate()

    def _count_seller_years(self, *_args: Any) -> None:
        """The seller's full years from the registered acquisition to the contract date (满二/满五)."""
        if self.seller_since is not None:
            self.seller_years.setValue(full_years(self.seller_since, _pydate(self.contract_date.date())))

    def show_warnings(self, warnings: tuple[str, ...] | list[str]) -> None:
        self.warnings_label.setText("\n".join(warnings))
        self.warnings_label.setVisible(bool(warnings))

    def source_texts(self) -> list[str]:
        """Every source shown on the form (the party rows' 来源 column and the grey labels)."""
        t = self.party_table
        texts = [t.text(r, PartyTable.SOURCE) for r in range(t.rowCount())]
        labels = [label for label in self.findChildren(SourceLabel) if label.text()]
        return [text for text in texts if text] + [label.text() for label in labels]

    # -- accepting ----------------------------------------------------------------------------------------
    def _listed(self, items: list[str]) -> str:
        """Problems one after another, with the separator of the UI's language."""
        return self.tr("；", "separator between listed problems").join(items)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def accept_intake(self) -> None:
        if self.tasks.busy:
            return
        request, problems = self.build_request()
        if request is None:
            self.show_error(self.tr("不能受理：") + self._listed(problems))
            return
        self.show_error("")
        self.accept_button.setEnabled(False)
        self.accept_button.setText(self.tr("正在受理……"))

        def on_failure(error: BaseException) -> None:
            self.accept_button.setEnabled(True)
            self.accept_button.setText(self.tr("受理（Ctrl+Enter）"))
            if isinstance(error, DomainError):
                self.show_error(str(error))
                return
            raise error

        channel = self.channel
        prefilled = self._prefill_as_accepted(request)
        contract = self.bank_contract if self.reads_bank_contracts else None
        contract_path = self.bank_contract_path
        db, actor, settings = self.db, self.actor, self.settings

        def work() -> payment_flow.Acceptance:
            accepted = payment_flow.accept_and_bill(db, actor, request, channel, prefilled=prefilled)
            if contract is None:
                return accepted
            accepted = payment_flow.attach_bank_contract(db, actor, settings, accepted, contract.pdf)
            if accepted.material_error is None and contract_path is not None:
                from registry_desk.exemptions.bank_contracts import file_away

                file_away(contract_path, settings)
            return accepted

        self.tasks.run(
            work,
            self._accepted,
            on_failure,
            changed="case",
        )

    def _prefill_as_accepted(self, request: IntakeRequest) -> prefill_form.Prefill | None:
        """The prefill the form started from, with what the clerk changed on it as corrections (so the
        audit trail says where each accepted value came from); None when the form was not prefilled, or was
        prefilled for another unit or business type than the one accepted."""
        started = self.prefilled
        if started is None or started.request.business_type != request.business_type:
            return None
        if started.request.unit_number != request.unit_number:
            return None
        kind_then = started.request.notice.kind if started.request.notice else None
        if kind_then != (request.notice.kind if request.notice else None):
            return None  # prefilled for another kind of notice: its sources do not describe these parties
        return started.as_accepted(request)

    @property
    def channel(self) -> Any:
        if self._channel is None:
            self._channel = payment_flow.channel_for(self.settings)
        return self._channel

    def _accepted(self, accepted: payment_flow.Acceptance | CaseSummary) -> None:
        summary = accepted.summary if isinstance(accepted, payment_flow.Acceptance) else accepted
        self.acceptance = accepted if isinstance(accepted, payment_flow.Acceptance) else None
        self.summary = summary
        self.case_accepted.emit(summary)
        number = summary.case_number
        owner = self.parentWidget()

        def show(copies: list[tuple[str, bytes]]) -> None:
            # One copy per paying side, each with that side's payment QR (they scan their own).
            for label, pdf in copies:
                preview = PdfPreviewDialog(
                    pdf,
                    self.tr("受理凭证 {number}").format(number=number) + (f"（{label}）" if label else ""),
                    f"受理凭证_{number}{'_' + label if label else ''}.pdf",
                    owner,
                    save_dir=self.settings.output_dir,
                )
                if self.receipt_preview is None:
                    self.receipt_preview = preview
                self.receipt_previews.append(preview)
                preview.show()
                self.preview_opened.emit(preview)
            self.accept()

        def failed(error: BaseException) -> None:
            # The case stands accepted; only its receipt could not be made (it can be printed from the list).
            if isinstance(error, DomainError):
                self.show_error(
                    self.tr("已受理，业务号 {number}；受理凭证未能生成：{error}").format(
                        number=number, error=error
                    )
                )
                return
            raise error

        problems = []
        if self.acceptance is not None and self.acceptance.payment_error:
            problems.append(
                self.tr("缴款单未能开具（打开业务时将重试）：{error}").format(
                    error=self.acceptance.payment_error
                )
            )
        if self.acceptance is not None and self.acceptance.material_error:
            problems.append(
                self.tr("银行抵押合同未能作为电子签章件收取（可在材料中导入）：{error}").format(
                    error=self.acceptance.material_error
                )
            )
        if problems:
            self.show_error(self.tr("已受理；") + self._listed(problems))
        self.tasks.run(
            lambda: payment_flow.acceptance_receipts(self.db, self.actor, number, settings=self.settings),
            show,
            failed,
        )
