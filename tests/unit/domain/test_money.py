"""Money is exact to the fen: no floats, half-up rounding, balanced sums."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry_desk.domain.money import Money, MoneyError


def test_the_classic_float_trap_does_not_happen():
    # A fee system once printed 111.2999999999998; cents added as fen never drift.
    total = sum([Money.yuan("0.10")] * 3, Money.zero())
    assert str(total) == "0.30"
    assert str(Money.yuan("111.30")) == "111.30"


def test_float_is_refused():
    with pytest.raises(MoneyError, match="浮点"):
        Money.yuan(0.1)  # type: ignore[arg-type]


def test_more_than_two_decimals_is_refused_not_rounded():
    with pytest.raises(MoneyError, match="两位小数"):
        Money.yuan("80.001")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("1000000.00", "0.01", "10000.00"),
        ("50000.00", "0.07", "3500.00"),
        ("0.05", "0.5", "0.03"),  # 0.025 rounds half up to 0.03 (四舍五入), not to even
        ("0.15", "0.5", "0.08"),
    ],
)
def test_rates_round_half_up_to_the_fen(amount, rate, expected):
    assert str(Money.yuan(amount).times(rate)) == expected


def test_vat_inclusive_price_divides_exactly():
    assert str(Money.yuan("1050000").divided_by("1.05")) == "1000000.00"


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=50))
def test_sum_of_amounts_is_sum_of_fen(fens):
    assert sum((Money.of_fen(f) for f in fens), Money.zero()).fen == sum(fens)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_yuan_text_round_trips(fen):
    m = Money.of_fen(fen)
    assert Money.yuan(str(m)) == m
    assert m.amount == Decimal(fen) / 100


def test_display_groups_thousands():
    assert Money.yuan("1234567.8").display() == "¥1,234,567.80"


def test_an_amount_beyond_any_ledger_is_refused_in_chinese():
    from registry_desk.domain.errors import DomainError

    with pytest.raises(MoneyError, match="超出可记账范围") as err:
        Money.yuan("100000000000000000000000000")
    assert isinstance(err.value, DomainError)  # the window shows it like any other refusal
    with pytest.raises(MoneyError, match="超出可记账范围"):
        Money.of_fen(10**18)
    assert str(Money.yuan("999999999999999.99")) == "999999999999999.99"
