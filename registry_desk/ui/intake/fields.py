"""What every part of the intake form shares: the clerk's amounts parsed exactly, dates between Qt and Python,
and the grey "来自 …" label that says where a prefilled value came from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel, QWidget

from registry_desk.domain.money import Money, MoneyError

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


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> date:
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
