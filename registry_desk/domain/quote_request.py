"""The one way a case becomes a request for a quote (税费试算): the intake form's trial quote and the
order that is billed are built here, from the same facts, so what the clerk reads is what is billed.

Before this module the form built its own request (residential use hard-coded, the area read back out of
a display label, no extra certificates) while billing built another; for a shop the two disagreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from registry_desk.domain.cases import TransferTaxFacts
from registry_desk.domain.charges import PropertyUse
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.fees import Business
from registry_desk.domain.money import Money
from registry_desk.domain.taxes import District, TransferFacts

# A garage, parking space or storeroom (附属设施) is charged as such whatever its register flag says.
ANCILLARY_WORDS = ("车库", "车位", "储藏", "储物")


@dataclass(frozen=True)
class QuotedUnit:
    """What of a unit the quote depends on, as the register holds it."""

    planned_use: str | None
    is_residential: bool
    building_area: Decimal | None

    @classmethod
    def of(cls, unit: Any) -> QuotedUnit:
        """From a unit as the register holds it (a row of the units table, or anything with those fields)."""
        area = unit.building_area
        return cls(unit.planned_use, bool(unit.is_residential), Decimal(area) if area is not None else None)


def property_use_of(unit: QuotedUnit) -> PropertyUse:
    use = unit.planned_use or ""
    if any(word in use for word in ANCILLARY_WORDS):
        return PropertyUse.ANCILLARY
    return PropertyUse.RESIDENTIAL if unit.is_residential else PropertyUse.NON_RESIDENTIAL


@dataclass(frozen=True)
class QuoteRequest:
    """One case to quote. `application_date` selects the fee, the transfer's contract date the taxes.

    `transfer` is required for a transfer and refused for the other businesses, which carry no taxes
    at the counter.
    """

    business: Business
    application_date: date
    property_use: PropertyUse = PropertyUse.RESIDENTIAL
    extra_certificates: int = 0
    small_enterprise: bool = False
    transfer: TransferFacts | None = None

    def __post_init__(self) -> None:
        if self.business is Business.TRANSFER and self.transfer is None:
            raise ValidationError(
                "转移登记试算须填写成交价格等交易信息", rule="税费试算", record=self.business.label
            )
        if self.business is not Business.TRANSFER and self.transfer is not None:
            raise ValidationError(
                f"{self.business.label}不涉及交易税费，不应填写成交价格等交易信息",
                rule="税费试算",
                record=self.business.label,
            )
        if self.transfer is not None and self.transfer.property_use is not self.property_use:
            raise ValidationError(
                "交易信息与登记的房屋用途不一致", rule="税费试算", record=self.business.label
            )


def build_quote_request(
    business: Business,
    *,
    on: date,
    unit: QuotedUnit,
    holders_wanting_own: int = 0,
    price: Money | None = None,
    tax_facts: TransferTaxFacts | None = None,
    record: str = "",
) -> QuoteRequest:
    """The request for `business` on `unit`: the use and area from the register, one certificate per holder
    who asks for their own beyond the first, and for a transfer the price and the tax facts confirmed."""
    use = property_use_of(unit)
    transfer = None
    if business is Business.TRANSFER:
        if price is None:
            raise RuleViolation(
                f"业务 {record or business.label} 没有成交价格，无法计算税费",
                rule="税费同缴须按成交价格计税",
                record=record or business.label,
            )
        if tax_facts is None:  # the caller confirms them (billing defaults them by the unit's county)
            raise RuleViolation(
                f"业务 {record or business.label} 没有计税信息，无法计算税费",
                rule="税费同缴 计税信息",
                record=record or business.label,
            )
        facts = tax_facts
        transfer = TransferFacts(
            price=price,
            contract_date=facts.contract_date,
            property_use=use,
            area=unit.building_area,
            buyer_homes=facts.buyer_homes,
            seller_years=facts.seller_years,
            seller_only_home=facts.seller_only_home,
            original_value=facts.original_value,
            district=District(facts.district),
        )
    return QuoteRequest(
        business,
        application_date=on,
        property_use=use,
        extra_certificates=max(0, holders_wanting_own - 1),
        transfer=transfer,
    )
