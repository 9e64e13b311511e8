"""Money: integer fen underneath, Decimal yuan in arithmetic, never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from registry_desk.domain.errors import ValidationError

_FEN = Decimal("0.01")


class MoneyError(ValidationError, ValueError):
    """An amount that cannot be money (too many decimals, not a number, a float, beyond any ledger)."""


# A quadrillion yuan: far beyond any registration, and well inside the BIGINT fen column and the
# 28-digit Decimal context used for rounding.
MAX_ABS_FEN = 10**17


def _to_decimal(value: str | int | Decimal) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError("金额不得使用浮点数，请用字符串或 Decimal 表示")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"金额“{value}”不是有效数字") from exc
    if not amount.is_finite():
        raise MoneyError(f"金额“{value}”不是有限数")
    if amount.adjusted() > 20:
        raise MoneyError(f"金额“{value}”超出可记账范围", rule="金额范围")
    return amount


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount of renminbi, exact to the fen.

    Build one with `Money.yuan("80.00")`, `Money.of_fen(8000)` or `Money.round_half_up(decimal)`;
    the first refuses more than two decimals so that no amount is silently rounded.
    """

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise MoneyError("Money.fen 必须是整数分")
        if abs(self.fen) > MAX_ABS_FEN:
            raise MoneyError(
                f"金额超出可记账范围（绝对值不得超过 {MAX_ABS_FEN // 100:,} 元）", rule="金额范围"
            )

    @classmethod
    def of_fen(cls, fen: int) -> Money:
        return cls(fen)

    @classmethod
    def yuan(cls, value: str | int | Decimal) -> Money:
        amount = _to_decimal(value)
        scaled = amount * 100
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"金额“{value}”超过两位小数（分）")
        return cls(int(scaled))

    @classmethod
    def round_half_up(cls, value: str | int | Decimal) -> Money:
        """Rounds a computed yuan amount to the fen, half up (四舍五入)."""
        amount = _to_decimal(value).quantize(_FEN, rounding=ROUND_HALF_UP)
        return cls(int(amount * 100))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @property
    def amount(self) -> Decimal:
        """The amount in yuan as an exact Decimal with two places."""
        return (Decimal(self.fen) / 100).quantize(_FEN)

    def times(self, rate: str | int | Decimal) -> Money:
        """This amount times a rate, rounded to the fen half up."""
        return Money.round_half_up(self.amount * _to_decimal(rate))

    def divided_by(self, divisor: str | int | Decimal) -> Money:
        return Money.round_half_up(self.amount / _to_decimal(divisor))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.fen)

    def __radd__(self, other: object) -> Money:
        # lets sum() start from 0
        if other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __bool__(self) -> bool:
        return self.fen != 0

    def __str__(self) -> str:
        return f"{self.amount:.2f}"

    def display(self) -> str:
        """As printed on Chinese receipts: ¥1,234.56."""
        return f"¥{self.amount:,.2f}"
