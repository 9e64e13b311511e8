"""The registration rules of each business type, checked on plain snapshots of a unit and an intake request.

The service takes the snapshot (inside the write transaction, after locking the unit) and calls
`check_request`; every refusal is a domain error whose message names the rule and the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    NOTICE_LAPSE_DAYS,
    TRANSFER,
    BusinessType,
    IntakeRequest,
    MortgageTerms,
    PartyInput,
)
from registry_desk.domain.certificates import looks_like_certificate_number, parse_certificate_number
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CoOwnership,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightType,
)
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.identifiers import validate_party_id
from registry_desk.domain.money import Money

RULE_ONE_CASE = "同一不动产单元同时只能办理一件登记业务"
RULE_SEIZED = "查封期间不得办理转移、抵押、预告等处分登记"
RULE_JOINT_APPLICATION = "不动产登记暂行条例第十四条 共同申请"
RULE_ALL_CO_OWNERS = "不动产登记暂行条例第十四条 共有不动产须全体共有人共同申请"
RULE_NOTICE = "民法典第二百二十一条 预告登记后未经权利人同意处分不动产的不发生物权效力"
RULE_NO_TRANSFER = "民法典第四百零六条 抵押财产转让（当事人约定禁止转让）"
RULE_SHARES = "共有方式与权利比例（按份共有份额合计为1）"
RULE_PARTIES = "申请人角色"
RULE_MORTGAGEE = "抵押权人须为持统一社会信用代码的法人"
RULE_MORTGAGE_TERMS = "抵押权首次登记 债权数额与债务履行期限"
RULE_MORTGAGE_CANCEL = "抵押权注销登记（不动产登记暂行条例第十四条 可由抵押权人单方申请）"
RULE_NOTICE_PARTIES = "预告登记的当事人（买卖：买受人与出卖人；抵押：抵押权人与抵押人）"
RULE_OWNERSHIP = "登记簿 现势所有权"


# ---------------------------------------------------------------------------------------------------------
# Snapshots
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartySnapshot:
    """A party of a right on the register, with the contact details of its party record (for the prefill)."""

    id_type: IdType
    id_number: str
    name: str
    role: PartyRole
    share: Fraction | None = None
    kind: PartyKind | None = None
    address: str | None = None
    phone: str | None = None
    legal_rep_name: str | None = None

    @property
    def key(self) -> tuple[IdType, str]:
        return (self.id_type, self.id_number)


@dataclass(frozen=True)
class RightSnapshot:
    """A current right or restriction on the unit: what the rules check, and the terms the prefill carries
    over from it (a notice's or a mortgage's contract data, the ownership's 登簿 moment)."""

    id: int
    right_type: RightType
    parties: tuple[PartySnapshot, ...]
    notice_kind: AdvanceNoticeKind | None = None
    rank: int | None = None
    no_transfer: bool | None = False  # None: the register records no agreement either way
    mortgage_mode: MortgageMode | None = None
    co_ownership: CoOwnership | None = None
    certificate_numbers: tuple[str, ...] = ()
    court: str | None = None
    court_document_no: str | None = None
    notice_lapses_on: date | None = None
    price: Money | None = None
    secured_amount: Money | None = None
    debt_start: date | None = None
    debt_end: date | None = None
    guarantee_scope: str | None = None
    mortgaged_area: Decimal | None = None
    assessed_value: Money | None = None
    registered_at: datetime | None = None

    @property
    def holders(self) -> tuple[PartySnapshot, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.RIGHT_HOLDER)

    @property
    def obligors(self) -> tuple[PartySnapshot, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.OBLIGOR)

    def of_role(self, role: PartyRole) -> tuple[PartySnapshot, ...]:
        return tuple(p for p in self.parties if p.role is role)

    @property
    def label(self) -> str:
        return self.notice_kind.label if self.notice_kind is not None else self.right_type.label

    @property
    def reference(self) -> str:
        """How a clerk finds it: the certificate number, or the register's right id."""
        return self.certificate_numbers[0] if self.certificate_numbers else f"权利记录{self.id}"


@dataclass(frozen=True)
class OpenCase:
    case_number: str
    business_label: str
    status: CaseStatus


@dataclass(frozen=True)
class UnitSnapshot:
    """A unit with its current rights and its unfinished cases (storage/register/unit_state.py reads it)."""

    unit_number: str
    location: str
    rights: tuple[RightSnapshot, ...]
    open_cases: tuple[OpenCase, ...] = ()
    unit_id: int | None = None
    planned_use: str = ""
    building_area: Decimal | None = None

    def of_type(self, right_type: RightType) -> tuple[RightSnapshot, ...]:
        return tuple(r for r in self.rights if r.right_type is right_type)

    @property
    def ownership(self) -> RightSnapshot | None:
        owned = self.of_type(RightType.OWNERSHIP)
        return owned[0] if owned else None

    @property
    def owners(self) -> tuple[PartySnapshot, ...]:
        return self.ownership.holders if self.ownership else ()

    @property
    def mortgages(self) -> tuple[RightSnapshot, ...]:
        return self.of_type(RightType.MORTGAGE)

    @property
    def notices(self) -> tuple[RightSnapshot, ...]:
        return self.of_type(RightType.ADVANCE_NOTICE)

    @property
    def seizures(self) -> tuple[RightSnapshot, ...]:
        return self.of_type(RightType.SEIZURE)


@dataclass(frozen=True)
class RulePlan:
    """What the checks found that recording needs: ranks, the rights to end, what stays."""

    ownership_id: int | None = None
    rank: int | None = None
    target_right: RightSnapshot | None = None  # the mortgage a cancellation ends
    converted_notice: RightSnapshot | None = None  # 抵押权预告 turned into the mortgage
    fulfilled_notices: tuple[RightSnapshot, ...] = ()  # 买卖预告 realised by the transfer
    following_mortgages: tuple[RightSnapshot, ...] = ()  # stay on the register (民法典 §406)


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def party_names(parties: Iterable[PartySnapshot | PartyInput]) -> str:
    """The parties' names as a message lists them: 王某、李某."""
    return "、".join(p.name for p in parties)


def party_keys(parties: Iterable[PartySnapshot | PartyInput]) -> set[tuple[IdType, str]]:
    """Who the parties are: (证件种类, 证件号码), whatever the role or the spelling of the name."""
    return {p.key for p in parties}


def _named(p: PartySnapshot | PartyInput) -> str:
    return f"{p.name}（{p.id_type.label} {p.id_number}）"


def notice_lapse_date(registrable_on: date) -> date:
    """The last day before a 预告登记 lapses: 90 days after the final registration became possible."""
    return registrable_on + timedelta(days=NOTICE_LAPSE_DAYS)


def lapsed_notices(unit: UnitSnapshot, today: date) -> tuple[RightSnapshot, ...]:
    """Current notices whose 90 days have run out: the register shows 预告登记失效提示 for them.

    The notice is not ended automatically: it lapses by law, but the register records that through a
    注销 by the registrar, who first checks that nobody applied in time.
    """
    return tuple(r for r in unit.notices if r.notice_lapses_on is not None and today > r.notice_lapses_on)


def lapse_warnings(unit: UnitSnapshot, today: date) -> tuple[str, ...]:
    """The 预告登记失效提示 lines of the unit's register page."""
    return tuple(
        f"预告登记失效提示：{r.label}（{r.reference}，权利人{party_names(r.holders)}）已于"
        f"{r.notice_lapses_on:%Y年%m月%d日}届满九十日未申请登记，依民法典第二百二十一条已失效，请核实后办理注销"
        for r in lapsed_notices(unit, today)
    )


def next_mortgage_rank(unit: UnitSnapshot) -> int:
    """抵押顺位 of a new mortgage: after every mortgage current on the unit."""
    ranks = [m.rank or 0 for m in unit.mortgages]
    return max([len(ranks), *ranks]) + 1


# ---------------------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------------------


def normalise_parties(business: BusinessType, request: IntakeRequest) -> IntakeRequest:
    """Checks every ID's check digit and the roles' counts; returns the request with IDs normalised."""
    parties: list[PartyInput] = []
    for p in request.parties:
        name = p.name.strip()
        if not name:
            raise ValidationError(
                f"{business.role_label(p.role)}的姓名或名称不能为空（证件号 {p.id_number}）",
                rule=RULE_PARTIES,
                record=p.id_number,
            )
        number = validate_party_id(p.id_type, p.id_number)
        agent = p.agent
        if agent is not None:
            agent = replace(
                agent, name=agent.name.strip(), id_number=validate_party_id(agent.id_type, agent.id_number)
            )
        unchanged = name == p.name and number == p.id_number and agent == p.agent
        parties.append(p if unchanged else replace(p, name=name, id_number=number, agent=agent))
    checked = replace(request, parties=tuple(parties), unit_number=request.unit_number.strip().upper())
    seen: dict[tuple[PartyRole, IdType, str], PartyInput] = {}
    for p in checked.parties:
        key = (p.role, *p.key)
        if key in seen:
            raise ValidationError(
                f"{_named(p)}作为{business.role_label(p.role)}重复填写了两次",
                rule=RULE_PARTIES,
                record=p.id_number,
            )
        seen[key] = p
        if business.role_spec(p.role) is None:
            roles = "、".join(s.label for s in business.roles)
            raise ValidationError(
                f"{business.label}没有“{p.role.label}”这一申请人角色（可选：{roles}），请核对{_named(p)}",
                rule=RULE_PARTIES,
                record=p.id_number,
            )
    for spec in business.roles:
        group = checked.with_role(spec.role)
        if len(group) < spec.min_count:
            raise RuleViolation(
                f"{business.label}须有{spec.label}，至少{spec.min_count}人，现填写{len(group)}人",
                rule=RULE_JOINT_APPLICATION,
                record=checked.unit_number,
            )
        if spec.max_count is not None and len(group) > spec.max_count:
            raise RuleViolation(
                f"{business.label}的{spec.label}只能有{spec.max_count}位，现填写了{len(group)}位：{party_names(group)}",
                rule=RULE_PARTIES,
                record=checked.unit_number,
            )
        if spec.legal_person:
            for p in group:
                if p.id_type is not IdType.USCC:
                    raise RuleViolation(
                        f"{spec.label}{p.name}须为法人，以统一社会信用代码登记（填写的是{p.id_type.label}）",
                        rule=RULE_MORTGAGEE,
                        record=p.id_number,
                    )
    return checked


def check_new_holders(
    co_ownership: CoOwnership | None, holders: tuple[PartyInput, ...], record: str
) -> CoOwnership:
    """共有方式 of new right holders: 单独所有 one person; 共同共有 no shares; 按份共有 shares summing to 1."""
    mode = co_ownership or (CoOwnership.SOLE if len(holders) == 1 else None)
    if mode is None:
        raise RuleViolation(
            f"权利人有{len(holders)}位（{party_names(holders)}），须选择共有方式（共同共有或按份共有）",
            rule=RULE_SHARES,
            record=record,
        )
    if mode is CoOwnership.SOLE:
        if len(holders) != 1:
            raise RuleViolation(
                f"单独所有只能有一位权利人，现填写了{len(holders)}位：{party_names(holders)}",
                rule=RULE_SHARES,
                record=record,
            )
        if holders[0].share not in (None, Fraction(1)):
            raise RuleViolation(
                f"单独所有的权利人{holders[0].name}不分份额（填写了{holders[0].share}）",
                rule=RULE_SHARES,
                record=record,
            )
        return mode
    if len(holders) < 2:
        raise RuleViolation(
            f"{mode.label}须有两位以上权利人，现只有{party_names(holders)}", rule=RULE_SHARES, record=record
        )
    if mode is CoOwnership.JOINT:
        with_share = [p for p in holders if p.share is not None]
        if with_share:
            raise RuleViolation(
                f"共同共有不分份额，请删去{party_names(with_share)}的份额", rule=RULE_SHARES, record=record
            )
        return mode
    missing = [p for p in holders if p.share is None]
    if missing:
        raise RuleViolation(
            f"按份共有须填写每人的份额，{party_names(missing)}未填写", rule=RULE_SHARES, record=record
        )
    bad = [p for p in holders if p.share is not None and not Fraction(0) < p.share <= Fraction(1)]
    if bad:
        raise RuleViolation(
            f"份额须大于0且不超过1：{'、'.join(f'{p.name} {p.share}' for p in bad)}",
            rule=RULE_SHARES,
            record=record,
        )
    total = sum((Fraction(p.share or 0) for p in holders), Fraction(0))
    if total != 1:
        listed = "＋".join(f"{p.name} {p.share}" for p in holders)
        raise RuleViolation(
            f"按份共有的份额合计应恰好为1，现为{listed}＝{total}", rule=RULE_SHARES, record=record
        )
    return mode


# ---------------------------------------------------------------------------------------------------------
# Rules shared by the types
# ---------------------------------------------------------------------------------------------------------


_ON_REGISTER = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY)


def check_no_open_case(
    unit: UnitSnapshot, *, except_case: str | None = None, recording: bool = False
) -> None:
    """At intake any unfinished case blocks; at recording only one already written into the register
    (two cases open on one unit can only come from before this rule, or from a race it lost)."""
    for case in unit.open_cases:
        if recording and case.status not in _ON_REGISTER:
            continue
        if case.case_number != except_case:
            raise RuleViolation(
                f"单元 {unit.unit_number} 已有未办结业务 {case.business_label}（业务号 {case.case_number}，"
                f"{case.status.label}），须办结或撤回后才能受理新的业务",
                rule=RULE_ONE_CASE,
                record=case.case_number,
            )


def check_not_seized(unit: UnitSnapshot, business_label: str) -> None:
    for s in unit.seizures:
        court = s.court or "人民法院"
        document = f"（{s.court_document_no}）" if s.court_document_no else ""
        raise RuleViolation(
            f"单元 {unit.unit_number}（{unit.location}）已被{court}查封{document}，查封期间不能办理{business_label}",
            rule=RULE_SEIZED,
            record=unit.unit_number,
        )


def require_ownership(unit: UnitSnapshot, business_label: str, *, doing: str = "办理") -> RightSnapshot:
    """The unit's current ownership with its holders; refused without one. `doing` is what cannot be done
    ("办理" at intake and recording, "预填" for the prefill)."""
    ownership = unit.ownership
    if ownership is None or not ownership.holders:
        raise RuleViolation(
            f"单元 {unit.unit_number} 在登记簿上没有现势的房屋所有权，不能{doing}{business_label}",
            rule=RULE_OWNERSHIP,
            record=unit.unit_number,
        )
    return ownership


def _require_all_owners(
    unit: UnitSnapshot, parties: tuple[PartyInput, ...], role_label: str, business_label: str
) -> RightSnapshot:
    """The parties in `role_label` are exactly the current owners: none missing, no stranger."""
    ownership = require_ownership(unit, business_label)
    owners = ownership.holders
    owner_keys = party_keys(owners)
    strangers = [p for p in parties if p.key not in owner_keys]
    if strangers:
        raise RuleViolation(
            f"{'、'.join(_named(p) for p in strangers)}不是单元 {unit.unit_number} 的现势权利人"
            f"（登记簿记载的权利人：{party_names(owners)}），不能作为{role_label}",
            rule=RULE_JOINT_APPLICATION,
            record=ownership.reference,
        )
    absent = [o for o in owners if o.key not in party_keys(parties)]
    if absent:
        raise RuleViolation(
            f"单元 {unit.unit_number} 的共有人{'、'.join(_named(o) for o in absent)}未作为{role_label}申请："
            f"{business_label}须由全体权利人（{party_names(owners)}）共同申请",
            rule=RULE_ALL_CO_OWNERS,
            record=ownership.reference,
        )
    return ownership


def _notice_blocks(unit: UnitSnapshot, notice: RightSnapshot, business_label: str) -> RuleViolation:
    return RuleViolation(
        f"单元 {unit.unit_number} 存在{party_names(notice.holders)}的{notice.label}（{notice.reference}），"
        f"未经预告登记权利人同意不能办理{business_label}",
        rule=RULE_NOTICE,
        record=notice.reference,
    )


def check_mortgage_terms(terms: MortgageTerms | None, record: str, what: str = "抵押权") -> MortgageTerms:
    if terms is None:
        raise ValidationError(
            f"{what}须填写抵押方式、债权数额和债务履行期限", rule=RULE_MORTGAGE_TERMS, record=record
        )
    if terms.amount is None:
        need = (
            "最高额抵押须填写最高债权额" if terms.mode is MortgageMode.MAXIMUM else "须填写被担保主债权数额"
        )
        raise ValidationError(f"{what}{need}", rule=RULE_MORTGAGE_TERMS, record=record)
    if terms.amount.fen <= 0:
        raise ValidationError(
            f"{what}的{terms.amount_label}须大于0（填写的是{terms.amount}元）",
            rule=RULE_MORTGAGE_TERMS,
            record=record,
        )
    if terms.debt_end <= terms.debt_start:
        period = "债权确定期间" if terms.mode is MortgageMode.MAXIMUM else "债务履行期限"
        raise ValidationError(
            f"{what}的{period}结束日期{terms.debt_end:%Y年%m月%d日}须晚于起始日期{terms.debt_start:%Y年%m月%d日}",
            rule=RULE_MORTGAGE_TERMS,
            record=record,
        )
    return terms


# ---------------------------------------------------------------------------------------------------------
# The four business types
# ---------------------------------------------------------------------------------------------------------


def check_transfer(business: BusinessType, unit: UnitSnapshot, request: IntakeRequest) -> RulePlan:
    sellers = request.with_role(PartyRole.OBLIGOR)
    buyers = request.with_role(PartyRole.RIGHT_HOLDER)
    check_not_seized(unit, business.label)
    ownership = _require_all_owners(unit, sellers, business.role_label(PartyRole.OBLIGOR), business.label)
    buyer_keys = party_keys(buyers)
    fulfilled: list[RightSnapshot] = []
    for notice in unit.notices:
        kind = notice.notice_kind
        if kind is not None and not kind.is_mortgage and party_keys(notice.holders) <= buyer_keys:
            fulfilled.append(notice)  # the buyer's own purchase notice is realised by this transfer
        elif kind is not None and kind.is_mortgage and party_keys(notice.obligors) <= buyer_keys:
            continue  # a mortgage notice on the buyer's future ownership waits for the mortgage registration
        else:
            raise _notice_blocks(unit, notice, business.label)
    for mortgage in unit.mortgages:
        if mortgage.no_transfer:
            raise RuleViolation(
                f"单元 {unit.unit_number} 的抵押权（{mortgage.reference}，第{mortgage.rank or 1}顺位，"
                f"抵押权人{party_names(mortgage.holders)}）约定禁止转让，抵押期间不能办理{business.label}",
                rule=RULE_NO_TRANSFER,
                record=mortgage.reference,
            )
    check_new_holders(request.co_ownership, buyers, unit.unit_number)
    return RulePlan(
        ownership_id=ownership.id, fulfilled_notices=tuple(fulfilled), following_mortgages=unit.mortgages
    )


def check_mortgage_first(business: BusinessType, unit: UnitSnapshot, request: IntakeRequest) -> RulePlan:
    banks = request.with_role(PartyRole.RIGHT_HOLDER)
    mortgagors = request.with_role(PartyRole.OBLIGOR)
    check_not_seized(unit, business.label)
    ownership = _require_all_owners(unit, mortgagors, business.role_label(PartyRole.OBLIGOR), business.label)
    check_mortgage_terms(request.mortgage, unit.unit_number)
    bank_keys = party_keys(banks)
    converted: RightSnapshot | None = None
    for notice in unit.notices:
        kind = notice.notice_kind
        if kind is not None and kind.is_mortgage and party_keys(notice.holders) == bank_keys:
            converted = converted or notice
        elif party_keys(notice.holders) <= party_keys(mortgagors):
            continue  # a notice protecting the mortgagors themselves
        else:
            raise _notice_blocks(unit, notice, business.label)
    return RulePlan(ownership_id=ownership.id, rank=next_mortgage_rank(unit), converted_notice=converted)


def find_mortgage(unit: UnitSnapshot, reference: str) -> RightSnapshot:
    """The current mortgage named by its 证明 number or its right id; refused when the unit has none such."""
    text = reference.strip()
    wanted_number = str(parse_certificate_number(text)) if looks_like_certificate_number(text) else None
    for mortgage in unit.mortgages:
        if wanted_number is not None and wanted_number in mortgage.certificate_numbers:
            return mortgage
        if wanted_number is None and text.isdigit() and int(text) == mortgage.id:
            return mortgage
    raise RuleViolation(
        f"单元 {unit.unit_number} 没有证明号或权利记录号为“{text}”的现势抵押权（可能已注销，或不在本单元）",
        rule=RULE_MORTGAGE_CANCEL,
        record=text,
    )


def check_mortgage_cancel(business: BusinessType, unit: UnitSnapshot, request: IntakeRequest) -> RulePlan:
    terms = request.cancellation
    if terms is None or not terms.mortgage.strip():
        raise ValidationError(
            "抵押权注销须填写要注销的抵押权的不动产登记证明号",
            rule=RULE_MORTGAGE_CANCEL,
            record=unit.unit_number,
        )
    mortgage = find_mortgage(unit, terms.mortgage)
    applicants = request.with_role(PartyRole.RIGHT_HOLDER)
    strangers = [p for p in applicants if p.key not in party_keys(mortgage.holders)]
    if strangers:
        raise RuleViolation(
            f"{'、'.join(_named(p) for p in strangers)}不是抵押权（{mortgage.reference}）的抵押权人"
            f"（登记簿记载：{party_names(mortgage.holders)}），不能申请注销",
            rule=RULE_MORTGAGE_CANCEL,
            record=mortgage.reference,
        )
    owners = request.with_role(PartyRole.OBLIGOR)
    wrong = [p for p in owners if p.key not in party_keys(mortgage.obligors) | party_keys(unit.owners)]
    if wrong:
        raise RuleViolation(
            f"{'、'.join(_named(p) for p in wrong)}不是抵押权（{mortgage.reference}）的抵押人",
            rule=RULE_MORTGAGE_CANCEL,
            record=mortgage.reference,
        )
    return RulePlan(target_right=mortgage)


def check_advance_notice(business: BusinessType, unit: UnitSnapshot, request: IntakeRequest) -> RulePlan:
    terms = request.notice
    if terms is None:
        raise ValidationError("预告登记须选择预告登记种类", rule=RULE_NOTICE_PARTIES, record=unit.unit_number)
    kind = terms.kind
    label = kind.label
    holders = request.with_role(PartyRole.RIGHT_HOLDER)
    obligors = request.with_role(PartyRole.OBLIGOR)
    check_not_seized(unit, label)
    ownership = require_ownership(unit, label)
    purchase_holders = {
        p.key
        for n in unit.notices
        if n.notice_kind is not None and not n.notice_kind.is_mortgage
        for p in n.holders
    }
    if kind.is_mortgage:
        check_mortgage_terms(terms.mortgage, unit.unit_number, what=label)
        not_bank = [p for p in holders if p.id_type is not IdType.USCC]
        if not_bank or len(holders) != 1:
            raise RuleViolation(
                f"{label}的权利人须为一家抵押权人（法人，统一社会信用代码），现填写：{party_names(holders)}",
                rule=RULE_NOTICE_PARTIES,
                record=unit.unit_number,
            )
        # The mortgagor is the owner, or the buyer whose purchase notice stands on the unit (期房按揭).
        allowed = party_keys(ownership.holders) | purchase_holders
        if not party_keys(obligors) <= allowed or not (
            party_keys(obligors) == party_keys(ownership.holders) or party_keys(obligors) <= purchase_holders
        ):
            raise RuleViolation(
                f"{label}的义务人（抵押人）须为单元 {unit.unit_number} 的全体所有权人（{party_names(ownership.holders)}），"
                f"或已办理买卖预告登记的买受人；{party_names(obligors)}不符合",
                rule=RULE_NOTICE_PARTIES,
                record=ownership.reference,
            )
    else:
        _require_all_owners(unit, obligors, "预告登记义务人（出卖人）", label)
        check_new_holders(request.co_ownership, holders, unit.unit_number)
    for notice in unit.notices:
        n_kind = notice.notice_kind
        protects_mortgagor = (
            kind.is_mortgage
            and n_kind is not None
            and not n_kind.is_mortgage
            and party_keys(notice.holders) <= party_keys(obligors)
        )
        if not protects_mortgagor:
            raise _notice_blocks(unit, notice, label)
    return RulePlan(ownership_id=ownership.id)


_CHECKS = {
    TRANSFER: check_transfer,
    MORTGAGE_FIRST: check_mortgage_first,
    MORTGAGE_CANCEL: check_mortgage_cancel,
    ADVANCE_NOTICE: check_advance_notice,
}


def check_request(
    business: BusinessType,
    unit: UnitSnapshot,
    request: IntakeRequest,
    *,
    this_case: str | None = None,
) -> tuple[IntakeRequest, RulePlan]:
    """Every rule of the business type against the unit; returns the normalised request and the plan.

    `this_case` is the case being recorded: its own open status does not count against it, and of the
    other unfinished cases only those already recorded do.
    """
    if business.key != request.business_type:
        raise ValueError(f"request is for {request.business_type}, business type is {business.key}")
    checked = normalise_parties(business, request)
    if checked.unit_number != unit.unit_number:
        raise ValueError("snapshot and request name different units")
    check_no_open_case(unit, except_case=this_case, recording=this_case is not None)
    plan = _CHECKS[business.key](business, unit, checked)
    return checked, plan
