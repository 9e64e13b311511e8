"""Policy rows, their conditions and the quote arithmetic that fees and taxes share."""

from datetime import date
from decimal import Decimal

import pytest

from registry_desk.domain.charges import (
    Account,
    Condition,
    Payer,
    PolicyRow,
    Quote,
    QuoteLine,
    TaxpayerRole,
    find_row,
    select_row,
)
from registry_desk.domain.errors import RuleViolation
from registry_desk.domain.money import Money

FACTS = ("area", "buyer_homes", "residential", "district")


def row(rate: str, start: str, end: str | None = None, **conditions: object) -> PolicyRow:
    return PolicyRow(
        item="契税",
        valid_from=date.fromisoformat(start),
        valid_to=date.fromisoformat(end) if end else None,
        rate=Decimal(rate),
        conditions=tuple(Condition.parse(k, v, FACTS) for k, v in conditions.items()),
        source="测试",
        note="测试",
        unverified=False,
        ref=f"测试 {rate}",
    )


def test_area_max_includes_the_threshold_and_area_over_excludes_it():
    small, large = Condition.parse("area_max", "90", FACTS), Condition.parse("area_over", "90", FACTS)
    assert small.holds({"area": Decimal(90)}) and not large.holds({"area": Decimal(90)})
    assert large.holds({"area": Decimal("90.01")}) and not small.holds({"area": Decimal("90.01")})


def test_a_count_does_not_satisfy_a_yes_no_condition():
    assert not Condition.parse("residential", True, FACTS).holds({"residential": 1})
    assert Condition.parse("residential", True, FACTS).holds({"residential": True})


def test_a_missing_fact_satisfies_no_condition():
    assert not Condition.parse("buyer_homes_max", 1, FACTS).holds({"buyer_homes": None})


def test_a_misspelt_condition_is_refused_when_the_policy_is_read():
    with pytest.raises(ValueError, match="area_maxx"):
        Condition.parse("area_maxx", "90", FACTS)


def test_membership_condition():
    cond = Condition.parse("district", ["city", "county"], FACTS)
    assert cond.holds({"district": "county"}) and not cond.holds({"district": "other"})


def test_row_dates_are_inclusive_at_both_ends():
    r = row("0.01", "2016-02-22", "2024-11-30")
    assert r.in_force(date(2016, 2, 22)) and r.in_force(date(2024, 11, 30))
    assert not r.in_force(date(2016, 2, 21)) and not r.in_force(date(2024, 12, 1))


def test_select_row_refuses_a_date_before_the_data_and_names_the_start():
    with pytest.raises(RuleViolation, match="2016-02-22"):
        select_row([row("0.01", "2016-02-22")], "契税", date(2016, 2, 21), {})


def test_select_row_refuses_overlapping_rows_instead_of_picking_one():
    rows = [row("0.01", "2016-02-22", area_max="90"), row("0.015", "2016-02-22", area_max="100")]
    with pytest.raises(RuleViolation, match="多条同时适用"):
        select_row(rows, "契税", date(2020, 1, 1), {"area": Decimal(80)})


def test_select_row_lists_the_facts_when_nothing_applies():
    with pytest.raises(RuleViolation, match="area=200"):
        select_row(
            [row("0.01", "2016-02-22", area_max="90")], "契税", date(2020, 1, 1), {"area": Decimal(200)}
        )


def test_find_row_treats_a_missing_relief_as_no_relief():
    assert find_row([], "六税两费减征", date(2020, 1, 1), {}) is None


def line(amount_base: str, rate: str, payer: Payer, account: Account) -> QuoteLine:
    base = Money.yuan(amount_base)
    return QuoteLine("测试", payer, TaxpayerRole.APPLICANT, account, base, Decimal(rate), base.times(rate))


def test_a_line_whose_amount_is_not_base_times_rate_is_refused():
    with pytest.raises(ValueError, match="不等于"):
        QuoteLine(
            "契税",
            Payer.BUYER,
            TaxpayerRole.TRANSFEREE,
            Account.TREASURY,
            Money.yuan("100"),
            Decimal("0.01"),
            Money.yuan("2"),
        )


def test_totals_by_payer_and_by_account_both_sum_to_the_total():
    quote = Quote(
        (
            line("1000", "0.01", Payer.BUYER, Account.TREASURY),
            line("80", "1", Payer.BUYER, Account.FISCAL),
            line("50000", "0.035", Payer.SELLER, Account.TREASURY),
        )
    )
    assert quote.totals_by_payer() == {Payer.BUYER: Money.yuan("90"), Payer.SELLER: Money.yuan("1750")}
    assert quote.totals_by_account() == {
        Account.TREASURY: Money.yuan("1760"),
        Account.FISCAL: Money.yuan("80"),
    }
    assert quote.total() == Money.yuan("1840")
    assert len(quote.lines_for(Payer.BUYER)) == 2
