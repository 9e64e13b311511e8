"""Taxes on an individual's resale of a home, assessed from the dated tax policy (REFERENCE §8).

The tax bureau assesses; the counter only shows and collects. `TaxAssessor` is that boundary: the embedded
`PolicyTaxAssessor` computes a trial from the policy data, and a tax-bureau adapter can replace it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from registry_desk.domain.charges import (
    Account,
    Payer,
    PolicyRow,
    PropertyUse,
    Quote,
    QuoteLine,
    TaxpayerRole,
    find_row,
    select_row,
)
from registry_desk.domain.codes import LabelledStrEnum
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money

ITEM_DEED_TAX = "契税"
ITEM_VAT = "增值税"
ITEM_CITY_TAX = "城市维护建设税"
ITEM_EDUCATION = "教育费附加"
ITEM_LOCAL_EDUCATION = "地方教育附加"
ITEM_SURCHARGE_RELIEF = "六税两费减征"
ITEM_INCOME_TAX = "个人所得税"
ITEM_INCOME_TAX_EXEMPTION = "个人所得税免征"
ITEM_STAMP_DUTY = "印花税"
ITEM_LAND_VAT = "土地增值税"

SURCHARGE_ITEMS = (ITEM_CITY_TAX, ITEM_EDUCATION, ITEM_LOCAL_EDUCATION)

# Whether 契税 and 个税 are computed on the price without VAT when VAT is charged [unverified].
FLAG_BASE_EXCLUDES_VAT = "deed_and_income_tax_base_excludes_vat"
TAX_FLAGS = (FLAG_BASE_EXCLUDES_VAT,)

# The facts a tax row's conditions may test (see resources/policy/taxes.json).
TAX_FACTS = (
    "residential",
    "area",
    "buyer_homes",
    "held_years",
    "seller_only_home",
    "original_value_proven",
    "district",
)

_RECORD = "存量房转移税费试算"

NON_RESIDENTIAL_NOTE = (
    "非住宅（含车库、车位、储藏室）转让的卖方税费（增值税及附加、土地增值税、印花税、个人所得税）"
    "须由税务机关核定，未列入本试算；契税按含税成交价和法定税率估算"
)


class District(LabelledStrEnum):
    """Where the property lies, for the 城市维护建设税 rate."""

    CITY = ("city", "市区")
    COUNTY = ("county", "县城、镇")
    OTHER = ("other", "其他地区")


@dataclass(frozen=True)
class PolicyFlag:
    """A dated yes/no choice of the tax policy, kept as data because its basis is uncertain."""

    name: str
    valid_from: date
    valid_to: date | None
    value: bool
    source: str
    note: str
    unverified: bool

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class TaxPolicy:
    """The parsed tax policy: dated rate rows and dated flags."""

    version: str
    rows: tuple[PolicyRow, ...]
    flags: tuple[PolicyFlag, ...]

    def flag(self, name: str, on: date) -> PolicyFlag:
        found = [f for f in self.flags if f.name == name and f.in_force(on)]
        if len(found) != 1:
            raise RuleViolation(
                f"税费政策开关“{name}”在{on.isoformat()}有{len(found)}条有效记录（应恰好一条）",
                rule="税费政策数据",
                record=_RECORD,
            )
        return found[0]


def _refuse(message: str, rule: str) -> ValidationError:
    return ValidationError(message, rule=rule, record=_RECORD)


def full_years(since: date, on: date) -> int:
    """Whole years from `since` to `on` (an anniversary counts on its day; 29 February's on 28 February of a
    common year): how long a seller has held a home, for 满二年/满五年. Never negative."""
    years = on.year - since.year
    try:
        anniversary = since.replace(year=on.year)
    except ValueError:  # 29 February, in a common year
        anniversary = since.replace(year=on.year, day=28)
    if on < anniversary:
        years -= 1
    return max(0, years)


@dataclass(frozen=True)
class TransferFacts:
    """What the taxes on a resale depend on. `price` includes VAT, as written in the contract.

    `buyer_homes` counts the bought home among the buying family's homes (1 = the only home);
    `seller_years` is how many full years the seller has held it; `original_value` is the proven
    original value (purchase price plus taxes paid then), None when not proven.
    """

    price: Money
    contract_date: date
    property_use: PropertyUse = PropertyUse.RESIDENTIAL
    area: Decimal | None = None
    buyer_homes: int | None = None
    seller_years: int | None = None
    seller_only_home: bool = False
    original_value: Money | None = None
    reasonable_costs: Money = field(default_factory=Money.zero)
    district: District = District.CITY

    def __post_init__(self) -> None:
        if not isinstance(self.price, Money) or self.price.fen <= 0:
            raise _refuse(f"成交价格须大于0元（收到“{self.price}”）", "成交价格")
        if isinstance(self.contract_date, datetime) or not isinstance(self.contract_date, date):
            raise _refuse("合同日期须为日期", "税率按合同日期适用")
        if self.area is not None:
            if not isinstance(self.area, Decimal) or not self.area.is_finite() or self.area <= 0:
                raise _refuse(f"建筑面积须为大于0的数（收到“{self.area}”）", "建筑面积")
            if self.area.as_tuple().exponent < -2:  # type: ignore[operator]
                raise _refuse(f"建筑面积最多保留两位小数（收到“{self.area}”）", "建筑面积")
        for name, label, minimum in (
            ("buyer_homes", "买方家庭住房套数", 1),
            ("seller_years", "卖方持有年限", 0),
        ):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < minimum
            ):
                raise _refuse(f"{label}须为不小于{minimum}的整数（收到“{value}”）", label)
        for value, label in ((self.original_value, "房屋原值"), (self.reasonable_costs, "合理费用")):
            if value is not None and (not isinstance(value, Money) or value.fen < 0):
                raise _refuse(f"{label}不得为负（收到“{value}”）", label)
        if self.residential:
            missing = [
                label
                for value, label in (
                    (self.area, "建筑面积"),
                    (self.buyer_homes, "买方家庭住房套数"),
                    (self.seller_years, "卖方持有年限"),
                )
                if value is None
            ]
            if missing:
                raise _refuse(f"住宅转移试算须填写：{'、'.join(missing)}", "住房税收优惠的适用条件")

    @property
    def residential(self) -> bool:
        return self.property_use is PropertyUse.RESIDENTIAL

    def policy_facts(self) -> dict[str, object]:
        """The facts as the policy rows' conditions name them."""
        return {
            "residential": self.residential,
            "area": self.area,
            "buyer_homes": self.buyer_homes,
            "held_years": self.seller_years,
            "seller_only_home": self.seller_only_home,
            "original_value_proven": self.original_value is not None,
            "district": str(self.district),
        }


class TaxAssessor(Protocol):
    """Assesses the taxes of a transfer. The counter's trial uses the policy; production asks the tax bureau."""

    def assess(self, facts: TransferFacts) -> Quote: ...


def _percent(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


class PolicyTaxAssessor:
    """The embedded assessor: computes each tax from the policy rows in force on the contract date.

    Exempt taxes appear as 0.00 lines whose note names the exemption, so the counter can say why nothing
    is due; the surcharges appear only when VAT is actually paid, being levied on it.
    """

    def __init__(self, policy: TaxPolicy) -> None:
        self.policy = policy

    def assess(self, facts: TransferFacts) -> Quote:
        if not facts.residential:
            return Quote((self.deed_tax(facts),), (NON_RESIDENTIAL_NOTE,))
        vat = self.vat(facts)
        surcharges = self.surcharges(facts, vat.amount)
        deed = self.deed_tax(facts, vat)
        seller_taxes_paid = sum((line.amount for line in surcharges), Money.zero())
        income = self.income_tax(facts, vat, seller_taxes_paid)
        return Quote(
            (
                deed,
                self.exempt_line(facts, ITEM_STAMP_DUTY, Payer.BUYER),
                vat,
                *surcharges,
                income,
                self.exempt_line(facts, ITEM_STAMP_DUTY, Payer.SELLER),
                self.exempt_line(facts, ITEM_LAND_VAT, Payer.SELLER),
            )
        )

    # -- the items -------------------------------------------------------------------------------

    def taxable_price(
        self, facts: TransferFacts, vat: QuoteLine | None
    ) -> tuple[Money, str, PolicyFlag | None]:
        """The price 契税 and 个税 are computed on, how it was found, and the policy flag that decided."""
        if vat is not None and vat.amount:
            flag = self.policy.flag(FLAG_BASE_EXCLUDES_VAT, facts.contract_date)
            if flag.value:
                return vat.base, "计税价格不含增值税", flag
            return facts.price, "计税价格按含增值税的成交价格", flag
        return facts.price, "计税价格按成交价格", None

    def deed_tax(self, facts: TransferFacts, vat: QuoteLine | None = None) -> QuoteLine:
        """契税, paid by the buyer before registration."""
        row = self._row(ITEM_DEED_TAX, facts)
        base, how, flag = self.taxable_price(facts, vat)
        note = f"{row.note}；{how}"
        if not facts.residential:
            note += "（卖方增值税未计，实际以税务机关核定为准）"
        return self._line(ITEM_DEED_TAX, Payer.BUYER, base, row.rate, note, row, flag=flag)

    def vat(self, facts: TransferFacts) -> QuoteLine:
        """增值税 of the seller: on price ÷ (1 + rate) at the simple rate, or exempt."""
        row = self._row(ITEM_VAT, facts)
        if not row.rate:
            return self._line(ITEM_VAT, Payer.SELLER, facts.price, row.rate, row.note, row)
        base = facts.price.divided_by(Decimal(1) + row.rate)
        note = f"{row.note}；不含税价 = {facts.price} ÷ {format(Decimal(1) + row.rate, 'f')}"
        return self._line(ITEM_VAT, Payer.SELLER, base, row.rate, note, row)

    def surcharges(self, facts: TransferFacts, vat_paid: Money) -> tuple[QuoteLine, ...]:
        """城建税 and the two education surcharges on the VAT actually paid, after the 六税两费 relief."""
        if not vat_paid:
            return ()
        relief = find_row(
            self.policy.rows, ITEM_SURCHARGE_RELIEF, facts.contract_date, facts.policy_facts(), record=_RECORD
        )
        lines = []
        for item in SURCHARGE_ITEMS:
            row = self._row(item, facts)
            rate, note = row.rate, row.note
            extra: tuple[PolicyRow, ...] = ()
            if relief is not None:
                rate = row.rate * (Decimal(1) - relief.rate)
                note = f"{row.note}；{relief.note}，按{_percent(rate)}"
                extra = (relief,)
            lines.append(self._line(item, Payer.SELLER, vat_paid, rate, note, row, *extra))
        return tuple(lines)

    def income_tax(self, facts: TransferFacts, vat: QuoteLine | None, seller_taxes_paid: Money) -> QuoteLine:
        """个人所得税 of the seller: 20% of the gain when the original value is proven, else deemed on price."""
        row = self._row(ITEM_INCOME_TAX, facts)
        price, how, flag = self.taxable_price(facts, vat)
        if facts.original_value is None:
            base, note = price, f"{row.note}；{how}"
        else:
            # 国税发〔2006〕108号: taxes paid on this transfer and reasonable costs are deducted.
            gain = price - facts.original_value - seller_taxes_paid - facts.reasonable_costs
            base = max(gain, Money.zero())
            note = (
                f"{row.note}；所得 = 计税价格{price} − 原值{facts.original_value} − 本次税费{seller_taxes_paid}"
                f" − 合理费用{facts.reasonable_costs}（{how}）"
            )
        exemption = find_row(
            self.policy.rows,
            ITEM_INCOME_TAX_EXEMPTION,
            facts.contract_date,
            facts.policy_facts(),
            record=_RECORD,
        )
        if exemption is None:
            return self._line(ITEM_INCOME_TAX, Payer.SELLER, base, row.rate, note, row, flag=flag)
        rate = row.rate * (Decimal(1) - exemption.rate)
        return self._line(
            ITEM_INCOME_TAX, Payer.SELLER, base, rate, f"{exemption.note}；{note}", row, exemption, flag=flag
        )

    def exempt_line(self, facts: TransferFacts, item: str, payer: Payer) -> QuoteLine:
        """印花税 or 土地增值税: exempt for individuals' housing; a non-zero row would be charged as written."""
        row = self._row(item, facts)
        return self._line(item, payer, facts.price, row.rate, row.note, row)

    # -- helpers ---------------------------------------------------------------------------------

    def _row(self, item: str, facts: TransferFacts) -> PolicyRow:
        return select_row(self.policy.rows, item, facts.contract_date, facts.policy_facts(), record=_RECORD)

    @staticmethod
    def _line(
        item: str,
        payer: Payer,
        base: Money,
        rate: Decimal,
        note: str,
        row: PolicyRow,
        *more: PolicyRow,
        flag: PolicyFlag | None = None,
    ) -> QuoteLine:
        rows = (row, *more)
        sources = [r.source for r in rows] + ([flag.source] if flag else [])
        role = TaxpayerRole.TRANSFEREE if payer is Payer.BUYER else TaxpayerRole.TRANSFEROR
        return QuoteLine(
            item=item,
            payer=payer,
            taxpayer_role=role,
            account=Account.TREASURY,
            base=base,
            rate=rate,
            amount=base.times(rate),
            note=note,
            source="；".join(sources),
            unverified=any(r.unverified for r in rows) or (flag is not None and flag.unverified),
        )
