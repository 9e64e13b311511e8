"""The plain data a prefill hands to the application form: the filled request, where each field came from
(`FieldSource`), the clerk's corrections before acceptance, and the bank's contract data it may start from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from registry_desk.domain.cases import TRANSFER, IntakeRequest, PartyInput
from registry_desk.domain.codes import MortgageMode, PartyRole
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money
from registry_desk.registration.prefill_paths import (
    FIELD_PATH,
    PARTY_ATTRS,
    RULE_CORRECTION,
    coerce_value,
    expected_paths,
    form_text,
    get_path,
    is_present,
    set_path,
)

RULE_PREFILL = "免填写：预填内容须注明来源记录，窗口人员核对后受理"

# A resale's sellers hold the flat since their ownership was entered in the register (登簿日期, local date,
# ISO text): the window counts the seller's full years for the taxes (满二/满五) from it instead of a guess.
# [unverified for Ningxia's practice] 国税发〔2005〕172号 counts from the earlier of the ownership certificate's
# date and the 契税完税证明's; an applicant showing an earlier 契税完税证明 has the clerk raise the years.
SELLER_SINCE = "卖方取得日期"

# Sources are labelled by kind so the form can colour them and tests can tell them apart.
SOURCE_NOTICE = "notice"
SOURCE_REGISTER = "register"
SOURCE_PARTY = "party"
SOURCE_CONTRACT = "contract"
SOURCE_DEFAULT = "default"
SOURCE_CORRECTION = "correction"


@dataclass(frozen=True)
class FieldSource:
    """Where a filled field's value came from, as the form shows it: "来自 预告登记 宁(2024)…号"."""

    text: str
    kind: str
    record: str = ""


@dataclass(frozen=True)
class Correction:
    """A prefilled value the clerk changed before acceptance."""

    path: str
    old_value: str
    new_value: str
    overridden_source: str


@dataclass(frozen=True)
class ContractData:
    """The mortgage data a bank submits with its sealed contract, for a unit without a 抵押权预告登记."""

    contract_no: str
    bank_uscc: str
    mode: MortgageMode
    amount: Money
    debt_start: date
    debt_end: date
    guarantee_scope: str = "主债权及利息、违约金、损害赔偿金和实现抵押权的费用"
    no_transfer: bool = False
    debtor_id_numbers: tuple[str, ...] = ()  # 债务人; empty: the mortgagors are the debtors
    mortgaged_area: Decimal | None = None  # default: the unit's 建筑面积
    assessed_value: Money | None = None
    bank_name: str | None = None  # only needed when the bank is not yet known to the register


@dataclass(frozen=True)
class Prefill:
    """A request filled from the register, with a source for every filled field."""

    request: IntakeRequest
    sources: Mapping[str, FieldSource]
    display: Mapping[str, str] = field(default_factory=dict)  # 坐落, 面积 (form only)
    warnings: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()

    def value(self, path: str) -> Any:
        """The current value at a field path ("parties[0].name", "mortgage.amount", "坐落")."""
        if path in self.display:
            return self.display[path]
        return get_path(self.request, path)

    def filled(self) -> dict[str, str]:
        """Every field the form shows with a value, as text (the clerk's check list)."""
        return {path: form_text(self.value(path)) for path in self.sources}

    def unfilled(self) -> tuple[str, ...]:
        """Field paths the form expects but that have no value or no source (what the clerk must still type)."""
        missing = []
        for path in expected_paths(self.request):
            value = self.value(path)
            if path not in self.sources or value is None or (isinstance(value, str) and not value.strip()):
                missing.append(path)
        if self.request.business_type == TRANSFER and not self.request.with_role(PartyRole.RIGHT_HOLDER):
            missing.append("parties[受让方]")
        return tuple(missing)

    def corrected(self, path: str, value: Any) -> Prefill:
        """The clerk's correction before acceptance: the value is replaced and its source says what it
        overrode, so `accept_prefilled` can audit it."""
        if path in self.display or path in ("unit_number", "business_type"):
            raise ValidationError(
                f"“{path}”取自登记簿的不动产单元，不能在申请中更正；单元信息有误须办理更正登记",
                rule=RULE_CORRECTION,
                record=self.request.unit_number,
            )
        old = get_path(self.request, path)
        new = coerce_value(path, value)
        request = set_path(self.request, path, new)
        previous = self.sources.get(path)
        previous_text = previous.text if previous else "窗口录入"
        source = FieldSource(
            f"窗口人员更正（原值：{form_text(old) or '空'}，原来源：{previous_text}）",
            SOURCE_CORRECTION,
            previous_text,
        )
        return replace(
            self,
            request=request,
            sources={**self.sources, path: source},
            corrections=(*self.corrections, Correction(path, form_text(old), form_text(new), previous_text)),
        )

    def with_party(self, party: PartyInput, *, source: str = "窗口录入") -> Prefill:
        """Adds a party the register cannot know (the buyer of a resale), naming where it came from."""
        index = len(self.request.parties)
        request = replace(self.request, parties=(*self.request.parties, party))
        sources = dict(self.sources)
        for attr in PARTY_ATTRS:
            if is_present(getattr(party, attr)):
                sources[f"parties[{index}].{attr}"] = FieldSource(source, SOURCE_CORRECTION)
        return replace(self, request=request, sources=sources)

    def as_accepted(self, final: IntakeRequest) -> Prefill:
        """This prefill as the clerk submitted the form: `final` is the request the window built.

        Every prefilled field whose value the clerk changed becomes a correction naming the source it
        overrode (as `corrected` would have recorded it), a prefilled party the clerk removed is recorded
        as removed, and a party the register did not know (the buyer of a resale) is 窗口录入. Parties are
        matched by role and ID number, so reordering the rows changes nothing; a row whose ID number was
        corrected is matched by its place.
        """
        if final.unit_number.strip().upper() != self.request.unit_number.strip().upper() or (
            final.business_type != self.request.business_type
        ):
            raise ValidationError(
                f"预填内容属于 {self.request.unit_number} 的{self.request.business_type}，"
                f"与受理的 {final.unit_number} 的{final.business_type} 不符",
                rule=RULE_CORRECTION,
                record=final.unit_number,
            )
        before, after = self.request.parties, final.parties
        placed: dict[int, int | None] = {}
        taken: set[int] = set()
        for i, party in enumerate(before):  # the same person in the same role, wherever the row went
            j = next(
                (
                    j
                    for j, q in enumerate(after)
                    if j not in taken and q.role == party.role and q.key == party.key
                ),
                None,
            )
            placed[i] = j
            if j is not None:
                taken.add(j)
        for i, party in enumerate(before):  # else the row in the same place, its ID number corrected
            if placed[i] is None and i < len(after) and i not in taken and after[i].role == party.role:
                placed[i] = i
                taken.add(i)
        sources: dict[str, FieldSource] = {}
        corrections = list(self.corrections)
        removed: set[int] = set()
        for path, source in self.sources.items():
            match = FIELD_PATH.match(path)
            index = int(match.group(1)) if match and match.group(1) is not None else None
            if match is not None and index is not None:
                attr = match.group(2)
                j = placed.get(index)
                if j is None:
                    if index not in removed:
                        removed.add(index)
                        who = before[index]
                        corrections.append(
                            Correction(f"parties[{index}]", f"{who.name}（{who.id_number}）", "", source.text)
                        )
                    continue
                new_path = f"parties[{j}].{attr}"
                old, new = getattr(before[index], attr), getattr(after[j], attr)
            elif path in self.display:
                sources[path] = source
                continue
            else:
                new_path = path
                old, new = get_path(self.request, path), get_path(final, path)
            if form_text(old) == form_text(new):
                sources[new_path] = source
                continue
            sources[new_path] = FieldSource(
                f"窗口人员更正（原值：{form_text(old) or '空'}，原来源：{source.text}）",
                SOURCE_CORRECTION,
                source.text,
            )
            corrections.append(Correction(new_path, form_text(old), form_text(new), source.text))
        for j, party in enumerate(after):
            if j in taken:
                continue
            for attr in PARTY_ATTRS:
                if is_present(getattr(party, attr)):
                    sources[f"parties[{j}].{attr}"] = FieldSource("窗口录入", SOURCE_CORRECTION)
        return replace(self, request=final, sources=sources, corrections=tuple(corrections))
