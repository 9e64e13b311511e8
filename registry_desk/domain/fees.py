"""Registration fees (不动产登记费 and 工本费) computed per case from the dated fee policy (REFERENCE §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
from registry_desk.domain.codes import LabelledStrEnum, RegistrationType
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money

ITEM_FEE = "登记费"
ITEM_CERTIFICATE_COST = "工本费"
ITEM_SMALL_ENTERPRISE_RELIEF = "小微企业免收登记费"

# The facts a fee row's conditions may test (see resources/policy/fees.json).
FEE_FACTS = ("registration_type", "property_use")

# A sanity ceiling: a family asking for more copies than this is a typing slip, not a request.
MAX_EXTRA_CERTIFICATES = 99


class Business(LabelledStrEnum):
    """The counter businesses a trial calculation covers (REFERENCE §3); codes are the CLI's --type values."""

    TRANSFER = ("transfer", "个人存量房转移登记")
    MORTGAGE = ("mortgage", "抵押权首次登记")
    MORTGAGE_CANCEL = ("mortgage-cancel", "抵押权注销登记")
    ADVANCE_NOTICE = ("advance-notice", "预告登记")

    @property
    def registration_type(self) -> RegistrationType:
        return _REGISTRATION_TYPE[self]

    @property
    def issues_certificate(self) -> bool:
        """A cancellation only annotates the register, so there is no copy to ask for."""
        return self is not Business.MORTGAGE_CANCEL


_REGISTRATION_TYPE = {
    Business.TRANSFER: RegistrationType.TRANSFER,
    Business.MORTGAGE: RegistrationType.FIRST,
    Business.MORTGAGE_CANCEL: RegistrationType.CANCELLATION,
    Business.ADVANCE_NOTICE: RegistrationType.ADVANCE_NOTICE,
}


@dataclass(frozen=True)
class PayerRule:
    """Which side pays the fee of a business, with the authority for it."""

    business: Business
    payer: Payer
    taxpayer_role: TaxpayerRole
    source: str
    note: str
    unverified: bool


@dataclass(frozen=True)
class FeePolicy:
    """The parsed fee policy: dated rows (登记费, 工本费, reliefs) and who pays per business."""

    version: str
    rows: tuple[PolicyRow, ...]
    payers: tuple[PayerRule, ...]

    def payer_for(self, business: Business) -> PayerRule:
        for rule in self.payers:
            if rule.business is business:
                return rule
        raise ValidationError(
            f"收费政策数据没有规定“{business.label}”的登记费由哪一方缴纳",
            rule="收费政策数据",
            record=business.label,
        )


@dataclass(frozen=True)
class FeeCase:
    """What the fee depends on. `on` is the day of application: fees are charged when the case is accepted."""

    business: Business
    property_use: PropertyUse
    on: date
    extra_certificates: int = 0
    small_enterprise: bool = False  # 小微企业或个体工商户, on a signed commitment (告知承诺)

    def __post_init__(self) -> None:
        n = self.extra_certificates
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationError(
                f"额外证书本数须为不小于0的整数（收到“{n}”）",
                rule="工本费按本收取",
                record=self.business.label,
            )
        if n > MAX_EXTRA_CERTIFICATES:
            raise ValidationError(
                f"额外证书本数 {n} 超过上限 {MAX_EXTRA_CERTIFICATES}，请核对",
                rule="工本费按本收取",
                record=self.business.label,
            )
        if n and not self.business.issues_certificate:
            raise ValidationError(
                f"{self.business.label}不发放证书或证明，不能申请额外证书",
                rule="工本费按本收取",
                record=self.business.label,
            )


def fee_quote(policy: FeePolicy, case: FeeCase) -> Quote:
    """The registration fee line, always present (0.00 with the reason when free), and a 工本费 line if any."""
    who = policy.payer_for(case.business)
    facts = {
        "registration_type": int(case.business.registration_type),
        "property_use": str(case.property_use),
    }
    record = f"{case.business.label}（{case.property_use.label}）"
    row = select_row(policy.rows, ITEM_FEE, case.on, facts, record=record)

    base = Money.yuan(row.rate)
    share = Decimal(1)
    notes = [row.note]
    sources = [row.source]
    unverified = row.unverified or who.unverified
    if who.unverified:
        notes.append(who.note)
    if case.small_enterprise and base:
        relief = find_row(policy.rows, ITEM_SMALL_ENTERPRISE_RELIEF, case.on, facts, record=record)
        if relief is None:
            notes.append(f"申请日{case.on.isoformat()}不在小微企业免收政策期内，照常收取")
        else:
            share = Decimal(1) - relief.rate
            notes.append(relief.note)
            sources.append(relief.source)
            unverified = unverified or relief.unverified
    lines = [
        QuoteLine(
            item=ITEM_FEE,
            payer=who.payer,
            taxpayer_role=who.taxpayer_role,
            account=Account.FISCAL,
            base=base,
            rate=share,
            amount=base.times(share),
            note="；".join(n for n in notes if n),
            source="；".join(sources),
            unverified=unverified,
        )
    ]

    if case.extra_certificates:
        cost = select_row(policy.rows, ITEM_CERTIFICATE_COST, case.on, facts, record=record)
        unit = Money.yuan(cost.rate)
        count = case.extra_certificates
        # The small-enterprise relief covers the registration fee only; copies are still paid [unverified].
        lines.append(
            QuoteLine(
                item=ITEM_CERTIFICATE_COST,
                payer=who.payer,
                taxpayer_role=who.taxpayer_role,
                account=Account.FISCAL,
                base=Money.of_fen(unit.fen * count),
                rate=Decimal(1),
                amount=Money.of_fen(unit.fen * count),
                note=f"{cost.note}（{unit}元/本 × {count}本）",
                source=cost.source,
                unverified=cost.unverified,
            )
        )
    return Quote(tuple(lines))
