"""Building each business type's prefilled request from the unit's current state, with a source for every
filled field: the first mortgage (from the 抵押权预告登记 or the bank's contract), its cancellation, the
transfer and the advance notice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    CancellationTerms,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
)
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    PartyRole,
    RightType,
)
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.domain.rules import (
    RULE_MORTGAGE_CANCEL,
    RULE_OWNERSHIP,
    PartySnapshot,
    RightSnapshot,
    UnitSnapshot,
    find_mortgage,
    next_mortgage_rank,
    party_keys,
    party_names,
    require_ownership,
)
from registry_desk.registration.prefill_form import (
    RULE_PREFILL,
    SELLER_SINCE,
    SOURCE_CONTRACT,
    SOURCE_DEFAULT,
    SOURCE_NOTICE,
    SOURCE_PARTY,
    SOURCE_REGISTER,
    ContractData,
    FieldSource,
    Prefill,
)
from registry_desk.registration.prefill_paths import AREA, LOCATION, MORTGAGE_ATTRS, form_text, is_present
from registry_desk.storage.register.prefill import PartySource, party_by_id_number


class _Builder:
    """Collects parties and their sources while a request is assembled."""

    def __init__(self, unit: UnitSnapshot) -> None:
        self.unit = unit
        self.parties: list[PartyInput] = []
        self.sources: dict[str, FieldSource] = {}
        self.warnings: list[str] = []
        self.sources["unit_number"] = self.unit_source()
        self.sources[LOCATION] = self.unit_source()
        self.sources[AREA] = self.unit_source()

    def unit_source(self) -> FieldSource:
        return FieldSource(
            f"来自 登记簿 不动产单元 {self.unit.unit_number}", SOURCE_REGISTER, self.unit.unit_number
        )

    @staticmethod
    def right_source(right: RightSnapshot) -> FieldSource:
        kind = SOURCE_NOTICE if right.right_type is RightType.ADVANCE_NOTICE else SOURCE_REGISTER
        where = "预告登记" if kind == SOURCE_NOTICE else "登记簿"
        # The form names an ownership by the certificate's old name, as the window's clerks know it.
        label = "房地产权" if right.right_type is RightType.OWNERSHIP else right.label
        return FieldSource(f"来自 {where} {label} {right.reference}", kind, right.reference)

    def add(self, role: PartyRole, p: PartySnapshot, source: FieldSource) -> None:
        index = len(self.parties)
        self.parties.append(
            PartyInput(
                role=role,
                name=p.name,
                id_type=p.id_type,
                id_number=p.id_number,
                address=p.address,
                phone=p.phone,
                legal_rep_name=p.legal_rep_name if p.id_type is IdType.USCC else None,
            )
        )
        for attr in ("name", "id_type", "id_number"):
            self.sources[f"parties[{index}].{attr}"] = source
        # Contact details live on the party's own record, whichever right named the party.
        contact = FieldSource(
            f"来自 当事人档案 {p.name}（{p.id_type.label} {p.id_number}）", SOURCE_PARTY, p.id_number
        )
        for attr in ("address", "phone", "legal_rep_name"):
            if is_present(getattr(self.parties[index], attr)):
                self.sources[f"parties[{index}].{attr}"] = contact

    def add_known(
        self,
        reader: PartySource,
        role: PartyRole,
        id_number: str,
        source: FieldSource,
    ) -> bool:
        party = known_party(reader, id_number)
        if party is None:
            return False
        self.add(role, party, source)
        return True

    def display(self) -> dict[str, str]:
        return {LOCATION: self.unit.location, AREA: f"{self.unit.building_area:.2f}㎡"}

    def fill(self, group: str, values: Mapping[str, Any], source: FieldSource) -> None:
        for attr, value in values.items():
            if is_present(value):
                self.sources[f"{group}.{attr}"] = source


def known_party(reader: PartySource, id_number: str) -> PartySnapshot | None:
    """The party with this ID number as the register knows it (its role and share are placeholders)."""
    row = party_by_id_number(reader, id_number.strip().upper())
    if row is None:
        return None
    id_type, number, name, kind, address, phone, legal_rep_name = row
    return PartySnapshot(
        id_type, number, name, PartyRole.RIGHT_HOLDER, None, kind, address, phone, legal_rep_name
    )


def _mortgage_notice(unit: UnitSnapshot, notice_kind: AdvanceNoticeKind | None) -> RightSnapshot | None:
    notices = [
        r
        for r in unit.of_type(RightType.ADVANCE_NOTICE)
        if r.notice_kind is not None
        and r.notice_kind.is_mortgage
        and (notice_kind is None or r.notice_kind is notice_kind)
    ]
    if len(notices) > 1:
        listed = "、".join(
            f"{n.label}（{n.reference}，权利人{party_names(n.of_role(PartyRole.RIGHT_HOLDER))}）"
            for n in notices
        )
        raise ValidationError(
            f"单元 {unit.unit_number} 有{len(notices)}项抵押权预告登记：{listed}，请指明从哪一项带入",
            rule=RULE_PREFILL,
            record=unit.unit_number,
        )
    return notices[0] if notices else None


def _add_contract_bank(reader: PartySource, b: _Builder, contract: ContractData) -> FieldSource:
    """The mortgagee named by the bank's contract, as the register knows it (or as the contract names it)."""
    source = FieldSource(
        f"来自 银行报送的抵押合同 {contract.contract_no}（{contract.bank_uscc}）",
        SOURCE_CONTRACT,
        contract.contract_no,
    )
    if not b.add_known(reader, PartyRole.RIGHT_HOLDER, contract.bank_uscc, source):
        if not contract.bank_name:
            raise ValidationError(
                f"统一社会信用代码 {contract.bank_uscc} 的抵押权人尚未在登记系统中登记，合同数据须写明其名称",
                rule=RULE_PREFILL,
                record=contract.bank_uscc,
            )
        index = len(b.parties)
        b.parties.append(
            PartyInput(
                PartyRole.RIGHT_HOLDER, contract.bank_name, IdType.USCC, contract.bank_uscc.strip().upper()
            )
        )
        for attr in ("name", "id_type", "id_number"):
            b.sources[f"parties[{index}].{attr}"] = source
    return source


def _contract_terms(b: _Builder, contract: ContractData, source: FieldSource, group: str) -> MortgageTerms:
    """The contract's mortgage terms, each field sourced under `group` ("mortgage" or "notice.mortgage");
    the mortgaged area defaults to the unit's 建筑面积 from the register."""
    terms = MortgageTerms(
        mode=contract.mode,
        amount=contract.amount,
        debt_start=contract.debt_start,
        debt_end=contract.debt_end,
        guarantee_scope=contract.guarantee_scope,
        no_transfer=contract.no_transfer,
        mortgaged_area=contract.mortgaged_area,
        assessed_value=contract.assessed_value,
    )
    b.fill(group, {a: getattr(terms, a) for a in MORTGAGE_ATTRS}, source)
    if terms.mortgaged_area is None:
        terms = replace(terms, mortgaged_area=b.unit.building_area)
        b.sources[f"{group}.mortgaged_area"] = b.unit_source()
    return terms


def prefill_mortgage_first(
    reader: PartySource,
    unit: UnitSnapshot,
    notice_kind: AdvanceNoticeKind | None,
    contract: ContractData | None,
) -> Prefill:
    label = "抵押权首次登记"
    b = _Builder(unit)
    notice = _mortgage_notice(unit, notice_kind)
    ownership = require_ownership(unit, label, doing="预填")
    owners = ownership.of_role(PartyRole.RIGHT_HOLDER)
    owner_source = b.right_source(ownership)
    if notice is None and contract is None:
        raise ValidationError(
            f"单元 {unit.unit_number} 没有抵押权预告登记可带入；请先读取银行报送的抵押合同数据再预填{label}",
            rule=RULE_PREFILL,
            record=unit.unit_number,
        )
    if notice is not None:
        # The notice's mortgagors are the buyers; the mortgage needs them to own the flat by now.
        notice_obligors = notice.of_role(PartyRole.OBLIGOR)
        if party_keys(notice_obligors) != party_keys(owners):
            raise RuleViolation(
                f"{notice.label}（{notice.reference}）的抵押人{party_names(notice_obligors)}与单元 {unit.unit_number} "
                f"登记簿记载的所有权人{party_names(owners)}（{ownership.reference}）不一致：须先办理转移登记，"
                f"抵押人取得所有权后才能将预告登记转为{label}",
                rule=RULE_OWNERSHIP,
                record=notice.reference,
            )
        source = b.right_source(notice)
        for bank in notice.of_role(PartyRole.RIGHT_HOLDER):
            b.add(PartyRole.RIGHT_HOLDER, bank, source)
        for owner in owners:
            b.add(PartyRole.OBLIGOR, owner, owner_source)
        for debtor in notice.of_role(PartyRole.DEBTOR):
            b.add(PartyRole.DEBTOR, debtor, source)
        assert notice.mortgage_mode is not None and notice.debt_start and notice.debt_end
        terms = MortgageTerms(
            mode=notice.mortgage_mode,
            amount=notice.secured_amount,
            debt_start=notice.debt_start,
            debt_end=notice.debt_end,
            guarantee_scope=notice.guarantee_scope or "",
            no_transfer=bool(notice.no_transfer),
            mortgaged_area=notice.mortgaged_area,
            assessed_value=notice.assessed_value,
        )
        b.fill("mortgage", {a: getattr(terms, a) for a in MORTGAGE_ATTRS}, source)
        if notice.no_transfer is None:
            b.sources.pop("mortgage.no_transfer", None)
        if terms.mortgaged_area is None:
            terms = replace(terms, mortgaged_area=unit.building_area)
            b.sources["mortgage.mortgaged_area"] = b.unit_source()
        if contract is not None:
            b.warnings.extend(_contract_differences(notice, contract))
    else:
        assert contract is not None
        source = _add_contract_bank(reader, b, contract)
        for owner in owners:
            b.add(PartyRole.OBLIGOR, owner, owner_source)
        for number in contract.debtor_id_numbers:
            if not b.add_known(reader, PartyRole.DEBTOR, number, source):
                raise ValidationError(
                    f"抵押合同 {contract.contract_no} 的债务人（证件号 {number}）不在登记系统中，请在窗口录入",
                    rule=RULE_PREFILL,
                    record=number,
                )
        terms = _contract_terms(b, contract, source, "mortgage")
    mortgages = unit.of_type(RightType.MORTGAGE)
    if mortgages:
        rank = next_mortgage_rank(unit)
        b.warnings.append(
            f"单元 {unit.unit_number} 已设有{len(mortgages)}项抵押权（"
            + "、".join(
                f"{m.reference}，抵押权人{party_names(m.of_role(PartyRole.RIGHT_HOLDER))}" for m in mortgages
            )
            + f"），本次抵押登簿后为第{rank}顺位"
        )
    request = IntakeRequest(MORTGAGE_FIRST, unit.unit_number, tuple(b.parties), mortgage=terms)
    return Prefill(request, b.sources, b.display(), tuple(b.warnings))


def _contract_differences(notice: RightSnapshot, contract: ContractData) -> list[str]:
    """Where the bank's contract and the registered notice disagree: the clerk must decide."""
    pairs = (
        ("抵押方式", notice.mortgage_mode, contract.mode),
        ("债权数额", notice.secured_amount, contract.amount),
        ("债务履行起始日期", notice.debt_start, contract.debt_start),
        ("债务履行结束日期", notice.debt_end, contract.debt_end),
        ("禁止转让", bool(notice.no_transfer), contract.no_transfer),
    )
    return [
        f"银行报送的抵押合同 {contract.contract_no} 的{label}为{form_text(theirs)}，与{notice.label}（{notice.reference}）"
        f"记载的{form_text(ours)}不一致，已按预告登记带入，请核对"
        for label, ours, theirs in pairs
        if ours != theirs
    ]


def _mortgage_to_cancel(unit: UnitSnapshot, reference: str | None) -> RightSnapshot:
    mortgages = unit.of_type(RightType.MORTGAGE)
    if reference is None or not reference.strip():
        if len(mortgages) == 1:
            return mortgages[0]
        if not mortgages:
            raise RuleViolation(
                f"单元 {unit.unit_number} 没有现势的抵押权，无可注销",
                rule=RULE_MORTGAGE_CANCEL,
                record=unit.unit_number,
            )
        listed = "、".join(
            f"{m.reference}（抵押权人{party_names(m.of_role(PartyRole.RIGHT_HOLDER))}）" for m in mortgages
        )
        raise ValidationError(
            f"单元 {unit.unit_number} 有{len(mortgages)}项抵押权：{listed}，请填写要注销的抵押权的证明号",
            rule=RULE_MORTGAGE_CANCEL,
            record=unit.unit_number,
        )
    return find_mortgage(unit, reference)


def prefill_mortgage_cancel(unit: UnitSnapshot, reference: str | None) -> Prefill:
    b = _Builder(unit)
    mortgage = _mortgage_to_cancel(unit, reference)
    source = b.right_source(mortgage)
    for bank in mortgage.of_role(PartyRole.RIGHT_HOLDER):
        b.add(PartyRole.RIGHT_HOLDER, bank, source)
    terms = CancellationTerms(mortgage.reference, MortgageCancelReason.DEBT_EXTINGUISHED)
    b.sources["cancellation.mortgage"] = source
    b.sources["cancellation.reason"] = FieldSource(
        "默认：主债权消灭（贷款结清；其他原因请更正）", SOURCE_DEFAULT, mortgage.reference
    )
    request = IntakeRequest(MORTGAGE_CANCEL, unit.unit_number, tuple(b.parties), cancellation=terms)
    return Prefill(request, b.sources, b.display(), tuple(b.warnings))


def prefill_transfer(unit: UnitSnapshot) -> Prefill:
    label = "转移登记"
    b = _Builder(unit)
    ownership = require_ownership(unit, label, doing="预填")
    source = b.right_source(ownership)
    for owner in ownership.of_role(PartyRole.RIGHT_HOLDER):
        b.add(PartyRole.OBLIGOR, owner, source)
    co_ownership: CoOwnership | None = None
    price: Money | None = None
    # A purchase notice names the buyers (期房交付后的转移): they are on the register already. A resale
    # has none, and the clerk adds the buyers (identify() reads their ID cards).
    purchase = [
        r
        for r in unit.of_type(RightType.ADVANCE_NOTICE)
        if r.notice_kind is not None and not r.notice_kind.is_mortgage
    ]
    if len(purchase) == 1:
        notice = purchase[0]
        notice_source = b.right_source(notice)
        buyers = notice.of_role(PartyRole.RIGHT_HOLDER)
        for buyer in buyers:
            b.add(PartyRole.RIGHT_HOLDER, buyer, notice_source)
        if len(buyers) > 1 and notice.co_ownership is not None:
            co_ownership = notice.co_ownership
            b.sources["co_ownership"] = notice_source
        if co_ownership is CoOwnership.BY_SHARES:
            for index, party in enumerate(b.parties):
                if party.role is PartyRole.RIGHT_HOLDER:
                    share = next(p.share for p in buyers if p.id_number == party.id_number)
                    b.parties[index] = replace(party, share=share)
                    b.sources[f"parties[{index}].share"] = notice_source
        if notice.price is not None:
            price = notice.price
            b.sources["price"] = notice_source
    else:
        b.warnings.append("受让方（买受人）须由窗口录入：可刷身份证读取")
    request = IntakeRequest(
        TRANSFER, unit.unit_number, tuple(b.parties), co_ownership=co_ownership, price=price
    )
    display = b.display()
    if ownership.registered_at is not None:
        display[SELLER_SINCE] = ownership.registered_at.astimezone(CHINA_TZ).date().isoformat()
        b.sources[SELLER_SINCE] = FieldSource(f"{source.text}（登簿日期）", source.kind, source.record)
    return Prefill(request, b.sources, display, tuple(b.warnings))


def prefill_advance_notice(
    reader: PartySource,
    unit: UnitSnapshot,
    kind: AdvanceNoticeKind | None,
    contract: ContractData | None,
) -> Prefill:
    """预告登记: the obligors from the register; the holder (the buyer, or the bank) is new to the unit.

    - 买卖预告 (kinds 1 and 2): the sellers are all the current owners (for a 期房, the developer).
    - 抵押权预告 (kinds 3 and 4): the mortgagors are the buyers of the purchase notice standing on the
      unit (期房按揭), else the current owners; the bank and the terms come from the bank's `contract`
      when one was read, else they are entered at the window.
    """
    if kind is None:
        raise ValidationError(
            f"请先选择预告登记种类，再为单元 {unit.unit_number} 预填预告登记",
            rule=RULE_PREFILL,
            record=unit.unit_number,
        )
    if contract is not None and not kind.is_mortgage:
        raise ValidationError(
            f"{kind.label}不是抵押权预告登记，不能读取抵押合同数据（合同 {contract.contract_no}）",
            rule=RULE_PREFILL,
            record=contract.contract_no,
        )
    b = _Builder(unit)
    ownership = require_ownership(unit, kind.label, doing="预填")
    bank_source = _add_contract_bank(reader, b, contract) if contract is not None else None
    purchase = [
        r
        for r in unit.of_type(RightType.ADVANCE_NOTICE)
        if r.notice_kind is not None and not r.notice_kind.is_mortgage
    ]
    if kind.is_mortgage and len(purchase) == 1:
        notice = purchase[0]
        source = b.right_source(notice)
        for buyer in notice.of_role(PartyRole.RIGHT_HOLDER):
            b.add(PartyRole.OBLIGOR, buyer, source)
    else:
        if kind.is_mortgage and len(purchase) > 1:
            b.warnings.append(
                f"单元 {unit.unit_number} 有{len(purchase)}项买卖预告登记，抵押人已按所有权人带入，请核对"
            )
        source = b.right_source(ownership)
        for owner in ownership.of_role(PartyRole.RIGHT_HOLDER):
            b.add(PartyRole.OBLIGOR, owner, source)
    terms: MortgageTerms | None = None
    if contract is not None and bank_source is not None:
        terms = _contract_terms(b, contract, bank_source, "notice.mortgage")
        if contract.debtor_id_numbers:
            b.warnings.append(
                f"抵押合同 {contract.contract_no} 另载债务人（证件号 {'、'.join(contract.debtor_id_numbers)}）："
                "预告登记不登记债务人，请核对"
            )
    elif kind.is_mortgage:
        b.warnings.append("抵押权人（银行）及抵押合同约定须由窗口录入：可读取银行的电子签章抵押合同（F6）")
    else:
        b.warnings.append("买受人须由窗口录入：可刷身份证读取；买卖价格按备案合同填写")
    notice = NoticeTerms(kind, mortgage=terms)
    request = IntakeRequest(ADVANCE_NOTICE, unit.unit_number, tuple(b.parties), notice=notice)
    return Prefill(request, b.sources, b.display(), tuple(b.warnings))
