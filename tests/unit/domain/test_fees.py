"""Registration fees as the counter charges them: per case, by use and type, with copies and exemptions."""

from datetime import date
from decimal import Decimal

import pytest

from registry_desk.domain.charges import Account, Payer, PropertyUse, select_row
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.fees import ITEM_FEE, Business, FeeCase, fee_quote
from registry_desk.domain.money import Money
from registry_desk.kernel.quote import load_fee_policy

POLICY = load_fee_policy()
TODAY = date(2025, 6, 1)


def quote(business=Business.TRANSFER, use=PropertyUse.RESIDENTIAL, on=TODAY, **kw):
    return fee_quote(POLICY, FeeCase(business, use, on, **kw))


def test_a_home_transfer_costs_80_paid_by_the_buyer_into_the_fiscal_account():
    (fee,) = quote().lines
    assert (fee.item, fee.amount, fee.payer, fee.account) == (
        "登记费",
        Money.yuan("80"),
        Payer.BUYER,
        Account.FISCAL,
    )
    assert "2559" in fee.source


def test_a_non_residential_transfer_costs_550():
    assert quote(use=PropertyUse.NON_RESIDENTIAL).total() == Money.yuan("550")


@pytest.mark.parametrize(("on", "expected"), [(date(2019, 6, 30), "550"), (date(2019, 7, 1), "80")])
def test_a_garage_with_its_own_certificate_pays_the_housing_fee_from_2019_07_01(on, expected):
    assert quote(use=PropertyUse.ANCILLARY, on=on).total() == Money.yuan(expected)


def test_the_mortgage_fee_is_paid_by_the_bank_and_flagged_unverified():
    (fee,) = quote(Business.MORTGAGE).lines
    assert fee.amount == Money.yuan("80") and fee.payer is Payer.MORTGAGEE
    assert fee.unverified and "待核实" in fee.note


@pytest.mark.parametrize("business", [Business.MORTGAGE_CANCEL, Business.ADVANCE_NOTICE])
def test_cancellations_and_advance_notices_show_a_free_fee_line_with_the_reason(business):
    (fee,) = quote(business).lines
    assert fee.item == ITEM_FEE and fee.amount == Money.zero()
    assert "不收取登记费" in fee.note


@pytest.mark.parametrize(
    ("registration_type", "on", "expected"),
    [
        (300, date(2019, 6, 30), "80.00"),  # 变更 before 财税〔2019〕45号
        (300, date(2019, 7, 1), "0.00"),
        (500, date(2019, 7, 1), "0.00"),  # 更正
        (800, date(2018, 1, 1), "0.00"),  # 查封
    ],
)
def test_change_and_correction_are_free_from_2019_07_01_and_seizures_always(registration_type, on, expected):
    row = select_row(
        POLICY.rows, ITEM_FEE, on, {"registration_type": registration_type, "property_use": "residential"}
    )
    assert row.rate == Decimal(expected)


def test_ten_extra_certificates_cost_100_on_a_separate_line():
    _fee, copies = quote(extra_certificates=10).lines
    assert (copies.item, copies.amount, copies.account, copies.payer) == (
        "工本费",
        Money.yuan("100"),
        Account.FISCAL,
        Payer.BUYER,
    )
    assert "10本" in copies.note
    assert quote(extra_certificates=10).total() == Money.yuan("180")


def test_a_small_enterprise_on_commitment_pays_no_fee_but_still_pays_for_copies():
    fee, copies = quote(use=PropertyUse.NON_RESIDENTIAL, small_enterprise=True, extra_certificates=1).lines
    assert fee.base == Money.yuan("550") and fee.rate == 0 and fee.amount == Money.zero()
    assert "承诺" in fee.note
    assert copies.amount == Money.yuan("10")


def test_the_small_enterprise_exemption_does_not_reach_back_before_2019_07_01():
    (fee,) = quote(use=PropertyUse.NON_RESIDENTIAL, small_enterprise=True, on=date(2019, 6, 30)).lines
    assert fee.amount == Money.yuan("550") and "不在小微企业免收政策期内" in fee.note


def test_a_cancellation_issues_nothing_so_extra_certificates_are_refused():
    with pytest.raises(ValidationError, match="不发放证书"):
        FeeCase(Business.MORTGAGE_CANCEL, PropertyUse.RESIDENTIAL, TODAY, extra_certificates=1)


def test_a_negative_number_of_certificates_is_refused():
    with pytest.raises(ValidationError, match="额外证书"):
        FeeCase(Business.TRANSFER, PropertyUse.RESIDENTIAL, TODAY, extra_certificates=-1)


def test_an_application_before_the_fee_data_begins_is_refused_not_guessed():
    with pytest.raises(RuleViolation, match="2017-03-15"):
        quote(on=date(2017, 3, 14))
