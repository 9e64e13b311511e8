"""The mortgage's terms as the intake form asks them (抵押方式, amount, 债务履行期限, 担保范围, 禁止转让): one box,
used for a first mortgage and for a 抵押权预告."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.cases import MortgageTerms
from registry_desk.domain.codes import MortgageMode
from registry_desk.domain.money import Money, MoneyError
from registry_desk.ui.intake.fields import SourceLabel, parse_money, pydate, qdate


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
            edit.setDate(qdate(day))
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
            debt_start=pydate(self.start.date()),
            debt_end=pydate(self.end.date()),
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
        self.start.setDate(qdate(terms.debt_start))
        self.end.setDate(qdate(terms.debt_end))
        self.scope.setText(terms.guarantee_scope)
        self.no_transfer.setChecked(terms.no_transfer)
        self.area.setText("" if terms.mortgaged_area is None else f"{terms.mortgaged_area:.2f}")
        self.assessed.setText("" if terms.assessed_value is None else str(terms.assessed_value))
        for key, label in self.sources.items():
            label.set_source(sources.get(key))
