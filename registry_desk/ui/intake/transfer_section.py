"""The transfer's terms on the intake form: the price, the tax facts of 税费同缴 the clerk confirms, and the trial
quote (试算) of the taxes and fees they make, computed by the same builder billing uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.cases import TRANSFER, TransferTaxFacts
from registry_desk.domain.codes import PartyRole
from registry_desk.domain.errors import DomainError
from registry_desk.domain.money import MoneyError
from registry_desk.domain.taxes import full_years
from registry_desk.payments import service as payment_flow
from registry_desk.ui.intake.fields import SourceLabel, parse_money, pydate, qdate


class TransferSection:
    """The transfer page of the dialog's 登记事项 and its trial quote (a part of IntakeDialog: it reads the
    dialog's unit, today and parties)."""

    def _build_transfer_page(self) -> QWidget:
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
        defaults = payment_flow.default_tax_facts(self.unit_number[:6], self.today)
        self.contract_date = QDateEdit(self)
        self.contract_date.setObjectName("contractDate")
        self.contract_date.setCalendarPopup(True)
        self.contract_date.setDisplayFormat("yyyy-MM-dd")
        self.contract_date.setDate(qdate(defaults.contract_date))
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
        return transfer_page

    def tax_facts(self) -> TransferTaxFacts:
        """What the clerk confirmed for the transfer's taxes (raises MoneyError on a bad original value)."""
        text = self.original_value.text().strip()
        return TransferTaxFacts(
            contract_date=pydate(self.contract_date.date()),
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

    def _count_seller_years(self, *_args: Any) -> None:
        """The seller's full years from the registered acquisition to the contract date (满二/满五)."""
        if self.seller_since is not None:
            self.seller_years.setValue(full_years(self.seller_since, pydate(self.contract_date.date())))
