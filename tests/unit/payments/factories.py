"""Test data for the payment tests: a case waiting for payment and the worked-example resale quote."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from registry_desk.domain.charges import Account, Payer, Quote, QuoteLine, TaxpayerRole
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.money import Money
from registry_desk.storage.tables import Case, Unit

NOW = datetime(2026, 3, 12, 2, 0, tzinfo=UTC)  # 10:00 in Zhongwei

BUYER = ("王镕", "11010519491231002X")
SELLER = ("李玥", "440524188001010014")
TAXPAYERS = {Payer.BUYER: BUYER, Payer.SELLER: SELLER}


def line(item: str, payer: Payer, role: TaxpayerRole, account: Account, base: str, rate: str) -> QuoteLine:
    b = Money.yuan(base)
    return QuoteLine(item, payer, role, account, b, Decimal(rate), b.times(Decimal(rate)))


def resale_quote() -> Quote:
    """REFERENCE §8 worked example: price 1,050,000 incl. VAT, seller held 1 year, buyer's only home."""
    price_ex_vat = "1000000.00"
    return Quote(
        (
            line("登记费", Payer.BUYER, TaxpayerRole.RIGHT_HOLDER, Account.FISCAL, "80.00", "1"),
            line("契税", Payer.BUYER, TaxpayerRole.TRANSFEREE, Account.TREASURY, price_ex_vat, "0.01"),
            line("增值税", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, price_ex_vat, "0.05"),
            line(
                "城市维护建设税", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, "50000.00", "0.035"
            ),
            line("教育费附加", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, "50000.00", "0.015"),
            line("地方教育附加", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, "50000.00", "0.01"),
            line("个人所得税", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, price_ex_vat, "0.01"),
            line("印花税", Payer.SELLER, TaxpayerRole.TRANSFEROR, Account.TREASURY, price_ex_vat, "0"),
        )
    )


def fee_only_quote(fee: str = "80.00") -> Quote:
    return Quote((line("登记费", Payer.MORTGAGEE, TaxpayerRole.MORTGAGEE, Account.FISCAL, fee, "1"),))


def make_case(session, n: int, status: CaseStatus = CaseStatus.AWAITING_PAYMENT) -> Case:
    unit = Unit(
        unit_number=f"640502001001GB00001F{n:08d}",
        parcel_code="640502001001GB00001",
        county_code="640502",
        location=f"沙坡头区文昌路{n}号",
        planned_use="住宅",
        is_residential=True,
        building_area=Decimal("100.00"),
        version=1,
    )
    session.add(unit)
    session.flush()
    case = Case(
        case_number=f"2026031200{n:04d}",
        business_type="transfer",
        registration_type=200,
        right_type=4,
        unit_id=unit.id,
        status=status,
        accepted_at=NOW,
        time_limit_days=3,
        due_date=date(2026, 3, 17),
        form={},
        demo=False,
        version=1,
    )
    session.add(case)
    session.flush()
    return case
