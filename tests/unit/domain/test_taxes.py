"""Taxes on an individual's resale, as the policy data assesses them: REFERENCE §8 worked examples and every regime boundary."""

import dataclasses
import itertools
from datetime import date
from decimal import Decimal

import pytest

from registry_desk.domain.charges import Account, Payer, PropertyUse
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.domain.taxes import District, PolicyTaxAssessor, TransferFacts
from registry_desk.kernel.quote import load_tax_policy

POLICY = load_tax_policy()
ASSESSOR = PolicyTaxAssessor(POLICY)


def facts(**kw) -> TransferFacts:
    values = {
        "price": Money.yuan("1050000"),
        "contract_date": date(2025, 6, 1),
        "area": Decimal(100),
        "buyer_homes": 1,
        "seller_years": 1,
    }
    values.update(kw)
    return TransferFacts(**values)


def amounts(f: TransferFacts) -> dict[tuple[str, Payer], str]:
    return {(line.item, line.payer): str(line.amount) for line in ASSESSOR.assess(f).lines}


def test_reference_derived_example():
    # REFERENCE §8: 1,050,000 incl. VAT, held 1 year, deemed 1% IIT, buyer's only home 100㎡, city, 2025.
    # Its surcharges are already halved (六税两费减半): 50,000 × 7% = 3,500, and REFERENCE says 1,750;
    # likewise 3% → 750 and 2% → 500. So the relief applies and the figures agree with it.
    got = amounts(facts())
    assert got[("增值税", Payer.SELLER)] == "50000.00"
    assert got[("城市维护建设税", Payer.SELLER)] == "1750.00"
    assert got[("教育费附加", Payer.SELLER)] == "750.00"
    assert got[("地方教育附加", Payer.SELLER)] == "500.00"
    assert got[("个人所得税", Payer.SELLER)] == "10000.00"
    assert got[("契税", Payer.BUYER)] == "10000.00"


def test_reference_derived_example_bases_exclude_vat_and_taxes_go_to_the_treasury():
    lines = {line.item: line for line in ASSESSOR.assess(facts()).lines}
    assert lines["契税"].base == Money.yuan("1000000") and lines["个人所得税"].base == Money.yuan("1000000")
    assert all(line.account is Account.TREASURY for line in lines.values())
    assert lines["城市维护建设税"].rate == Decimal("0.035")


def test_reference_sourced_income_tax_example():
    # 600,000 − 410,000 − 35,000 = 155,000 → 20% = 31,000 (held ≥ 2 years: no VAT, no surcharges).
    f = facts(
        price=Money.yuan("600000"),
        seller_years=3,
        original_value=Money.yuan("410000"),
        reasonable_costs=Money.yuan("35000"),
    )
    income = ASSESSOR.income_tax(f, ASSESSOR.vat(f), Money.zero())
    assert (income.base, income.rate, income.amount) == (
        Money.yuan("155000"),
        Decimal("0.20"),
        Money.yuan("31000"),
    )
    assert amounts(f)[("个人所得税", Payer.SELLER)] == "31000.00"


def test_income_tax_on_the_gain_deducts_the_surcharges_paid_on_this_sale():
    # 1,000,000 (excl. VAT) − 800,000 − surcharges 3,000 = 197,000 → 39,400.
    got = amounts(facts(original_value=Money.yuan("800000")))
    assert got[("个人所得税", Payer.SELLER)] == "39400.00"


def test_a_loss_gives_no_income_tax_rather_than_a_negative_one():
    got = amounts(facts(seller_years=3, original_value=Money.yuan("2000000")))
    assert got[("个人所得税", Payer.SELLER)] == "0.00"


@pytest.mark.parametrize(
    ("contract", "area", "homes", "rate"),
    [
        ("2016-02-22", "90", 1, "0.01"),
        ("2016-02-22", "90.01", 1, "0.015"),
        ("2024-11-30", "90", 1, "0.01"),
        ("2024-11-30", "90.01", 1, "0.015"),
        ("2024-11-30", "90", 2, "0.01"),
        ("2024-11-30", "90.01", 2, "0.02"),
        ("2024-11-30", "120", 3, "0.03"),
        ("2024-12-01", "90.01", 1, "0.01"),
        ("2024-12-01", "140", 1, "0.01"),
        ("2024-12-01", "140.01", 1, "0.015"),
        ("2024-12-01", "140", 2, "0.01"),
        ("2024-12-01", "140.01", 2, "0.02"),
        ("2024-12-01", "80", 3, "0.03"),
        ("2024-12-01", "80", 7, "0.03"),
    ],
)
def test_deed_tax_rate_by_contract_date_area_and_homes(contract, area, homes, rate):
    f = facts(
        contract_date=date.fromisoformat(contract), area=Decimal(area), buyer_homes=homes, seller_years=2
    )
    line = ASSESSOR.deed_tax(f)
    assert line.rate == Decimal(rate)
    assert line.payer is Payer.BUYER and line.amount == Money.yuan("1050000").times(rate)


def test_deed_tax_before_2016_02_22_is_refused_not_guessed():
    with pytest.raises(RuleViolation, match="契税.*2016-02-22"):
        ASSESSOR.deed_tax(facts(contract_date=date(2016, 2, 21)))


def test_the_third_home_rate_is_the_statutory_rate_and_marked_unverified():
    line = ASSESSOR.deed_tax(facts(buyer_homes=3))
    assert line.rate == Decimal("0.03") and line.unverified


def test_vat_before_2026_is_5_percent_of_price_over_1_05_rounded_half_up():
    line = ASSESSOR.vat(facts(price=Money.yuan("1030000"), contract_date=date(2025, 12, 31)))
    # 1,030,000 / 1.05 = 980,952.380952… → 980,952.38; × 5% = 49,047.619 → 49,047.62
    assert (line.base, line.amount) == (Money.yuan("980952.38"), Money.yuan("49047.62"))


def test_vat_from_2026_is_its_own_unverified_row_at_3_percent():
    line = ASSESSOR.vat(facts(price=Money.yuan("1030000"), contract_date=date(2026, 1, 1)))
    assert (line.base, line.rate, line.amount) == (
        Money.yuan("1000000"),
        Decimal("0.03"),
        Money.yuan("30000"),
    )
    assert line.unverified


@pytest.mark.parametrize(("years", "vat"), [(1, "50000.00"), (2, "0.00")])
def test_vat_is_exempt_from_two_years_held_and_then_no_surcharges_are_levied(years, vat):
    got = amounts(facts(seller_years=years))
    assert got[("增值税", Payer.SELLER)] == vat
    assert (("城市维护建设税", Payer.SELLER) in got) is (years < 2)


def test_exempt_vat_keeps_the_full_price_as_base_for_deed_tax():
    got = amounts(facts(seller_years=2))
    assert got[("契税", Payer.BUYER)] == "10500.00"


@pytest.mark.parametrize(
    ("years", "only_home", "income_tax"),
    [(5, True, "0.00"), (4, True, "10500.00"), (5, False, "10500.00"), (10, False, "10500.00")],
)
def test_held_five_years_and_the_sellers_only_home_is_exempt_from_income_tax(years, only_home, income_tax):
    f = facts(seller_years=years, seller_only_home=only_home)
    line = next(line for line in ASSESSOR.assess(f).lines if line.item == "个人所得税")
    assert str(line.amount) == income_tax
    assert ("满五唯一" in line.note) is (income_tax == "0.00")


@pytest.mark.parametrize(
    ("district", "city_tax"),
    [(District.CITY, "1750.00"), (District.COUNTY, "1250.00"), (District.OTHER, "250.00")],
)
def test_city_construction_tax_depends_on_the_district(district, city_tax):
    assert amounts(facts(district=district))[("城市维护建设税", Payer.SELLER)] == city_tax


@pytest.mark.parametrize(
    ("contract", "city_tax"),
    [
        ("2018-12-31", "3500.00"),  # before the relief
        ("2019-01-01", "1750.00"),
        ("2025-12-31", "1750.00"),
    ],
)
def test_the_surcharge_halving_follows_its_dates(contract, city_tax):
    assert (
        amounts(facts(contract_date=date.fromisoformat(contract)))[("城市维护建设税", Payer.SELLER)]
        == city_tax
    )


def test_after_2027_the_surcharges_are_no_longer_halved():
    # 2028: VAT 3% of 1,030,000 / 1.03 = 30,000; 城建 7% in full = 2,100.
    got = amounts(facts(price=Money.yuan("1030000"), contract_date=date(2028, 1, 1)))
    assert (got[("增值税", Payer.SELLER)], got[("城市维护建设税", Payer.SELLER)]) == ("30000.00", "2100.00")


def test_each_line_rounds_half_up_to_the_fen():
    lines = ASSESSOR.surcharges(facts(), Money.yuan("3.00"))
    # 3.00 × 1.5% = 0.045 → 0.05 (half up; banker's rounding would give 0.04)
    assert {line.item: str(line.amount) for line in lines}["教育费附加"] == "0.05"


def test_stamp_duty_and_land_vat_appear_exempt_for_individuals_housing():
    lines = [line for line in ASSESSOR.assess(facts()).lines if line.item in ("印花税", "土地增值税")]
    assert [(line.item, line.payer) for line in lines] == [
        ("印花税", Payer.BUYER),
        ("印花税", Payer.SELLER),
        ("土地增值税", Payer.SELLER),
    ]
    assert all(line.amount == Money.zero() and "137号" in line.source for line in lines)


def test_base_excluding_vat_is_a_policy_flag():
    flags = tuple(dataclasses.replace(f, value=False) for f in POLICY.flags)
    assessor = PolicyTaxAssessor(dataclasses.replace(POLICY, flags=flags))
    lines = {line.item: line for line in assessor.assess(facts()).lines}
    assert lines["契税"].base == Money.yuan("1050000") and lines["契税"].amount == Money.yuan("10500")
    assert lines["个人所得税"].amount == Money.yuan("10500")


def test_non_residential_gets_the_statutory_deed_tax_and_says_what_is_left_out():
    quote = ASSESSOR.assess(facts(property_use=PropertyUse.NON_RESIDENTIAL, area=None, buyer_homes=None))
    (deed,) = quote.lines
    assert (deed.item, deed.rate, deed.amount) == ("契税", Decimal("0.03"), Money.yuan("31500"))
    assert quote.notes and "税务机关核定" in quote.notes[0]


def test_a_contract_before_the_vat_data_is_refused():
    with pytest.raises(RuleViolation, match="增值税"):
        ASSESSOR.assess(facts(contract_date=date(2016, 4, 30)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price": Money.zero()}, "成交价格"),
        ({"area": Decimal("100.123")}, "两位小数"),
        ({"area": Decimal(-1)}, "建筑面积"),
        ({"buyer_homes": 0}, "住房套数"),
        ({"seller_years": -1}, "持有年限"),
        ({"area": None}, "建筑面积"),
        ({"original_value": Money.yuan("-1")}, "原值"),
    ],
)
def test_impossible_facts_are_refused_in_chinese(change, message):
    with pytest.raises(ValidationError, match=message):
        facts(**change)


def test_no_combination_of_facts_at_any_boundary_finds_two_rows_or_none():
    # Guards the policy data itself: an overlapping or missing row would raise here.
    dates = ["2016-05-01", "2019-01-01", "2024-11-30", "2024-12-01", "2025-12-31", "2026-01-01", "2028-01-01"]
    for day, area, homes, years, only, proven in itertools.product(
        dates, ["90", "90.01", "140", "140.01"], [1, 2, 3], [0, 2, 5], [False, True], [False, True]
    ):
        f = facts(
            contract_date=date.fromisoformat(day),
            area=Decimal(area),
            buyer_homes=homes,
            seller_years=years,
            seller_only_home=only,
            original_value=Money.yuan("500000") if proven else None,
        )
        quote = ASSESSOR.assess(f)
        assert quote.total() == sum((t for t in quote.totals_by_payer().values()), Money.zero())


@pytest.mark.parametrize(
    ("since", "on", "years"),
    [
        (date(2021, 3, 2), date(2026, 3, 1), 4),  # one day short of five: not 满五
        (date(2021, 3, 2), date(2026, 3, 2), 5),  # the anniversary itself counts
        (date(2024, 2, 29), date(2025, 2, 28), 1),  # a leap day's anniversary in a common year
        (date(2024, 2, 29), date(2025, 2, 27), 0),
        (date(2026, 3, 2), date(2026, 1, 1), 0),  # a date after `on` is no negative holding
    ],
)
def test_full_years_held(since, on, years):
    from registry_desk.domain.taxes import full_years

    assert full_years(since, on) == years
