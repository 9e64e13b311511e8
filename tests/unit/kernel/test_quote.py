"""The trial calculator's service: reading the policy files, one Quote per case, its JSON-ready form."""

import json
from datetime import date
from decimal import Decimal

import pytest

from registry_desk.domain.charges import Account, Payer, PropertyUse, Quote, QuoteLine, TaxpayerRole
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.fees import Business
from registry_desk.domain.money import Money
from registry_desk.domain.taxes import TransferFacts
from registry_desk.resources_path import resource
from registry_desk.kernel.quote import (
    QuoteRequest,
    compute_quote,
    load_fee_policy,
    load_tax_policy,
    quote_as_dict,
)

DAY = date(2025, 6, 1)


def transfer(**kw) -> QuoteRequest:
    f = {
        "price": Money.yuan("1050000"),
        "contract_date": DAY,
        "area": Decimal(100),
        "buyer_homes": 1,
        "seller_years": 1,
    }
    f.update(kw)
    return QuoteRequest(Business.TRANSFER, DAY, transfer=TransferFacts(**f))


def test_every_shipped_rate_row_names_its_source_and_dates():
    for path in ("fees.json", "taxes.json"):
        for row in json.loads(resource("policy", path).read_text(encoding="utf-8"))["rows"]:
            assert {"item", "from", "to", "rate", "conditions", "source", "note", "unverified"} <= row.keys()
            assert isinstance(row["rate"], str) and row["source"]
    assert load_fee_policy().rows and load_tax_policy().rows


def test_the_derived_example_as_one_quote_for_both_sides():
    data = quote_as_dict(compute_quote(transfer()))
    assert data["totals"] == {
        "by_payer": {"buyer": "10080.00", "seller": "63000.00"},
        "by_account": {"treasury": "73000.00", "fiscal": "80.00"},
        "all": "73080.00",
    }
    assert data["lines"][0] == {
        "item": "契税",
        "payer": "buyer",
        "account": "treasury",
        "base": "1000000.00",
        "rate": "0.01",
        "amount": "10000.00",
    }
    assert data["lines"][-1] == {
        "item": "登记费",
        "payer": "buyer",
        "account": "fiscal",
        "base": "80.00",
        "rate": "1",
        "amount": "80.00",
    }


def test_a_mortgage_quote_has_only_the_banks_fee():
    quote = compute_quote(QuoteRequest(Business.MORTGAGE, DAY, property_use=PropertyUse.NON_RESIDENTIAL))
    assert [(line.item, line.payer, str(line.amount)) for line in quote.lines] == [
        ("登记费", Payer.MORTGAGEE, "550.00")
    ]


def test_a_transfer_without_its_sale_data_is_refused():
    with pytest.raises(ValidationError, match="成交价格"):
        QuoteRequest(Business.TRANSFER, DAY)


def test_sale_data_on_a_mortgage_is_refused():
    with pytest.raises(ValidationError, match="不涉及交易税费"):
        QuoteRequest(Business.MORTGAGE, DAY, transfer=transfer().transfer)


class FixedAssessor:
    """Stands in for the tax bureau's assessment, as a production adapter would."""

    def assess(self, facts: TransferFacts) -> Quote:
        base = Money.yuan("1000")
        return Quote(
            (
                QuoteLine(
                    "契税",
                    Payer.BUYER,
                    TaxpayerRole.TRANSFEREE,
                    Account.TREASURY,
                    base,
                    Decimal("0.5"),
                    base.times("0.5"),
                ),
            )
        )


def test_another_tax_assessor_replaces_the_policy_one():
    quote = compute_quote(transfer(), tax_assessor=FixedAssessor())
    assert [(line.item, str(line.amount)) for line in quote.lines] == [
        ("契税", "500.00"),
        ("登记费", "80.00"),
    ]


def write(tmp_path, text: str):
    path = tmp_path / "taxes.json"
    path.write_text(text, encoding="utf-8")
    return path


ROW = (
    '{"item": "契税", "from": "2020-01-01", "to": null, "rate": %s, "conditions": %s,'
    ' "source": "测试", "note": "测试", "unverified": false}'
)
VALID = ROW % ('"0.03"', "{}")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW % ("0.03", "{}"), "浮点数"),
        (ROW % ('"abc"', "{}"), "rate"),
        (ROW % ('"0.03"', '{"area_maxx": "90"}'), "area_maxx"),
        (ROW % ('"0.03"', '{"area_max": "ninety"}'), "area_max"),
        (VALID.replace('"2020-01-01", "to": null', '"2020-01-01", "to": "2019-01-01"'), "早于"),
        (VALID.replace('"契税"', '"房产税"'), "未知项目"),
        (VALID.replace('"source": "测试", ', ""), "缺少字段 source"),
    ],
)
def test_malformed_policy_data_is_refused_with_file_and_row(tmp_path, row, message):
    path = write(tmp_path, f'{{"rows": [{row}], "flags": []}}')
    with pytest.raises(ValidationError, match=message) as caught:
        load_tax_policy(path)
    assert "taxes.json" in str(caught.value)


def test_a_well_formed_row_is_read_as_written(tmp_path):
    (row,) = load_tax_policy(write(tmp_path, f'{{"rows": [{VALID}], "flags": []}}')).rows
    assert (row.item, row.rate, row.valid_to) == ("契税", Decimal("0.03"), None)
    assert "rows 第1条" in row.ref
