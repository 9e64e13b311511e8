"""Cases (业务件) as plain data: business types, intake requests, results, the status machine and due states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateKind,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RegistrationType,
    RightType,
)
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money

# Keys of resources/policy/business_types.json; the rules dispatch on them.
TRANSFER = "transfer"  # 个人存量房转移登记
MORTGAGE_FIRST = "mortgage_first"  # 抵押权首次登记
MORTGAGE_CANCEL = "mortgage_cancel"  # 抵押权注销登记
ADVANCE_NOTICE = "advance_notice"  # 预告登记
BUSINESS_KEYS = (TRANSFER, MORTGAGE_FIRST, MORTGAGE_CANCEL, ADVANCE_NOTICE)

# CaseMaterial.status values: how a required material was satisfied.
MATERIAL_MISSING = "missing"
MATERIAL_PAPER = "paper"
MATERIAL_ECERT = "ecert"  # 电子证照，已核验
MATERIAL_SEALED = "sealed"  # 加盖电子签章的PDF，已核验
MATERIAL_STATUSES = (MATERIAL_MISSING, MATERIAL_PAPER, MATERIAL_ECERT, MATERIAL_SEALED)
MATERIAL_STATUS_LABELS = {
    MATERIAL_MISSING: "未提交",
    MATERIAL_PAPER: "已收纸质件",
    MATERIAL_ECERT: "电子证照已核验",
    MATERIAL_SEALED: "电子签章件已核验",
}

# 民法典第二百二十一条: the notice lapses 90 days after the final registration became possible.
NOTICE_LAPSE_DAYS = 90


# ---------------------------------------------------------------------------------------------------------
# Business types (the policy's rows)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialSpec:
    """A material a business type asks for (条例第十六条), and what electronic form may replace paper."""

    code: str
    name: str
    required: bool
    ecert_ok: bool  # an e-certificate from the library satisfies it (免提交)
    sealed_ok: bool  # an electronically sealed PDF satisfies it (免盖章)
    only_with_agent: bool = False
    notice_kinds: frozenset[int] = frozenset()  # empty: every kind

    def applies(self, *, has_agent: bool, notice_kind: AdvanceNoticeKind | None) -> bool:
        if self.only_with_agent and not has_agent:
            return False
        return not self.notice_kinds or (notice_kind is not None and int(notice_kind) in self.notice_kinds)


@dataclass(frozen=True)
class RoleSpec:
    """A party role a business type takes, with how many parties may hold it."""

    role: PartyRole
    label: str
    min_count: int
    max_count: int | None = None
    legal_person: bool = False  # must be a legal person identified by a USCC (a bank)


@dataclass(frozen=True)
class BusinessType:
    key: str
    label: str
    registration_type: RegistrationType
    right_type: RightType
    time_limit_days: int
    charged: bool
    roles: tuple[RoleSpec, ...]
    materials: tuple[MaterialSpec, ...]
    note: str = ""

    @property
    def certificate_kind(self) -> CertificateKind | None:
        """What recording issues; a cancellation only annotates the register."""
        if self.key == MORTGAGE_CANCEL:
            return None
        return self.right_type.certificate_kind

    def role_spec(self, role: PartyRole) -> RoleSpec | None:
        return next((spec for spec in self.roles if spec.role is role), None)

    def role_label(self, role: PartyRole) -> str:
        spec = self.role_spec(role)
        return spec.label if spec else role.label


# ---------------------------------------------------------------------------------------------------------
# Intake requests
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentInput:
    """代理人 who signs for a party (授权委托书)."""

    name: str
    id_type: IdType
    id_number: str
    agency: str | None = None


@dataclass(frozen=True)
class PartyInput:
    """A party as the clerk enters it: role in this case, identity, and (for new holders) the share."""

    role: PartyRole
    name: str
    id_type: IdType
    id_number: str
    share: Fraction | None = None
    address: str | None = None
    phone: str | None = None
    legal_rep_name: str | None = None
    agent: AgentInput | None = None
    wants_own_certificate: bool = False  # 申请分别持证

    @property
    def key(self) -> tuple[IdType, str]:
        return (self.id_type, self.id_number.strip().upper())


@dataclass(frozen=True)
class MortgageTerms:
    """抵押权 terms; for 最高额抵押 `amount` is the 最高债权额, otherwise the 被担保主债权数额."""

    mode: MortgageMode
    amount: Money | None
    debt_start: date
    debt_end: date
    guarantee_scope: str = "主债权及利息、违约金、损害赔偿金和实现抵押权的费用"
    no_transfer: bool = False  # 禁止转让 agreed in the contract
    mortgaged_area: Decimal | None = None
    assessed_value: Money | None = None

    @property
    def amount_label(self) -> str:
        return "最高债权额" if self.mode is MortgageMode.MAXIMUM else "被担保主债权数额"

    def to_form(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "amount_fen": None if self.amount is None else self.amount.fen,
            "debt_start": self.debt_start.isoformat(),
            "debt_end": self.debt_end.isoformat(),
            "guarantee_scope": self.guarantee_scope,
            "no_transfer": self.no_transfer,
            "mortgaged_area": None if self.mortgaged_area is None else str(self.mortgaged_area),
            "assessed_value_fen": None if self.assessed_value is None else self.assessed_value.fen,
        }

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> MortgageTerms:
        return cls(
            mode=MortgageMode(data["mode"]),
            amount=None if data.get("amount_fen") is None else Money.of_fen(int(data["amount_fen"])),
            debt_start=date.fromisoformat(data["debt_start"]),
            debt_end=date.fromisoformat(data["debt_end"]),
            guarantee_scope=data.get("guarantee_scope") or "",
            no_transfer=bool(data.get("no_transfer")),
            mortgaged_area=None if data.get("mortgaged_area") is None else Decimal(data["mortgaged_area"]),
            assessed_value=(
                None
                if data.get("assessed_value_fen") is None
                else Money.of_fen(int(data["assessed_value_fen"]))
            ),
        )


@dataclass(frozen=True)
class CancellationTerms:
    """Which mortgage to cancel (its 证明 number, or the right's id) and why."""

    mortgage: str
    reason: MortgageCancelReason
    note: str = ""

    def to_form(self) -> dict[str, Any]:
        return {"mortgage": self.mortgage, "reason": self.reason.value, "note": self.note}

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> CancellationTerms:
        return cls(data["mortgage"], MortgageCancelReason(data["reason"]), data.get("note") or "")


@dataclass(frozen=True)
class NoticeTerms:
    """预告登记 terms: kind, the price (买卖) or the mortgage terms (抵押权), and when the final
    registration became possible (starts the 90-day lapse), if already known."""

    kind: AdvanceNoticeKind
    price: Money | None = None
    mortgage: MortgageTerms | None = None
    registrable_on: date | None = None

    def to_form(self) -> dict[str, Any]:
        return {
            "kind": int(self.kind),
            "price_fen": None if self.price is None else self.price.fen,
            "mortgage": None if self.mortgage is None else self.mortgage.to_form(),
            "registrable_on": None if self.registrable_on is None else self.registrable_on.isoformat(),
        }

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> NoticeTerms:
        return cls(
            kind=AdvanceNoticeKind(int(data["kind"])),
            price=None if data.get("price_fen") is None else Money.of_fen(int(data["price_fen"])),
            mortgage=None if data.get("mortgage") is None else MortgageTerms.from_form(data["mortgage"]),
            registrable_on=None
            if not data.get("registrable_on")
            else date.fromisoformat(data["registrable_on"]),
        )


@dataclass(frozen=True)
class TransferTaxFacts:
    """The facts the taxes on a resale depend on, as the clerk confirms them at the window (税费同缴).

    The tax bureau assesses; the counter collects what these facts give. `district` is a
    domain.taxes.District value ("city" / "county" / "other"); `original_value` is the proven 房屋原值,
    None when not proven (个人所得税 is then the deemed rate on the price).
    """

    contract_date: date
    buyer_homes: int = 1
    seller_years: int = 5
    seller_only_home: bool = False
    original_value: Money | None = None
    district: str = "city"

    def __post_init__(self) -> None:
        if self.buyer_homes < 1:
            raise ValidationError(
                f"买方家庭住房套数须至少为1（含本套），收到 {self.buyer_homes}",
                rule="税费同缴 计税信息",
                record="buyer_homes",
            )
        if self.seller_years < 0:
            raise ValidationError(
                f"卖方持有年限不得为负，收到 {self.seller_years}",
                rule="税费同缴 计税信息",
                record="seller_years",
            )

    def to_form(self) -> dict[str, Any]:
        return {
            "contract_date": self.contract_date.isoformat(),
            "buyer_homes": self.buyer_homes,
            "seller_years": self.seller_years,
            "seller_only_home": self.seller_only_home,
            "original_value_fen": None if self.original_value is None else self.original_value.fen,
            "district": self.district,
        }

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> TransferTaxFacts:
        return cls(
            contract_date=date.fromisoformat(data["contract_date"]),
            buyer_homes=int(data.get("buyer_homes", 1)),
            seller_years=int(data.get("seller_years", 5)),
            seller_only_home=bool(data.get("seller_only_home")),
            original_value=None
            if data.get("original_value_fen") is None
            else Money.of_fen(int(data["original_value_fen"])),
            district=str(data.get("district") or "city"),
        )


@dataclass(frozen=True)
class IntakeRequest:
    """Everything the clerk enters at the window for one case, whatever its type."""

    business_type: str
    unit_number: str
    parties: tuple[PartyInput, ...]
    co_ownership: CoOwnership | None = None  # of the new holders (transfer, 买卖预告)
    materials: Mapping[str, str] = field(default_factory=dict)  # code → paper / missing / ecert / sealed
    price: Money | None = None  # 交易价格 (transfer)
    mortgage: MortgageTerms | None = None
    cancellation: CancellationTerms | None = None
    notice: NoticeTerms | None = None
    note: str = ""  # 附记 the clerk wants printed
    demo: bool = False
    tax: TransferTaxFacts | None = None  # transfer: what the taxes depend on (None: defaults at acceptance)

    def with_role(self, role: PartyRole) -> tuple[PartyInput, ...]:
        return tuple(p for p in self.parties if p.role is role)

    @property
    def has_agent(self) -> bool:
        return any(p.agent is not None for p in self.parties)

    def terms_form(self) -> dict[str, Any]:
        """The type-specific fields as JSON for Case.form (parties and materials have their own rows)."""
        return {
            "co_ownership": None if self.co_ownership is None else self.co_ownership.value,
            "price_fen": None if self.price is None else self.price.fen,
            "mortgage": None if self.mortgage is None else self.mortgage.to_form(),
            "cancellation": None if self.cancellation is None else self.cancellation.to_form(),
            "notice": None if self.notice is None else self.notice.to_form(),
            "note": self.note,
            "tax": None if self.tax is None else self.tax.to_form(),
        }


def request_from_case(
    business_type: str, unit_number: str, parties: tuple[PartyInput, ...], form: Mapping[str, Any]
) -> IntakeRequest:
    """Rebuilds the request of a stored case, so recording re-checks exactly what was accepted."""
    return IntakeRequest(
        business_type=business_type,
        unit_number=unit_number,
        parties=parties,
        co_ownership=None if not form.get("co_ownership") else CoOwnership(form["co_ownership"]),
        price=None if form.get("price_fen") is None else Money.of_fen(int(form["price_fen"])),
        mortgage=None if not form.get("mortgage") else MortgageTerms.from_form(form["mortgage"]),
        cancellation=None
        if not form.get("cancellation")
        else CancellationTerms.from_form(form["cancellation"]),
        notice=None if not form.get("notice") else NoticeTerms.from_form(form["notice"]),
        note=form.get("note") or "",
        tax=None if not form.get("tax") else TransferTaxFacts.from_form(form["tax"]),
    )


# ---------------------------------------------------------------------------------------------------------
# Results handed back by the services
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialLine:
    code: str
    name: str
    required: bool
    status: str
    ecert_ok: bool
    sealed_ok: bool

    @property
    def status_label(self) -> str:
        return MATERIAL_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class CaseSummary:
    """A case as the window shows it after acceptance or any later step."""

    case_number: str
    business_type: str
    business_label: str
    unit_number: str
    location: str
    status: CaseStatus
    accepted_at: datetime
    time_limit_days: int
    due_date: date
    payment_required: bool
    parties: tuple[tuple[str, str, str], ...]  # (role label, name, id number)
    materials: tuple[MaterialLine, ...]
    certificate_numbers: tuple[str, ...] = ()
    closed_reason: str | None = None
    issues_certificate: bool = True  # False for a business that ends with the register entry (抵押权注销)

    @property
    def status_text(self) -> str:
        return status_text(self.status, self.issues_certificate)

    @property
    def missing_materials(self) -> tuple[MaterialLine, ...]:
        """The 一次性告知 list: every required material not yet satisfied."""
        return tuple(m for m in self.materials if m.required and m.status == MATERIAL_MISSING)


@dataclass(frozen=True)
class RecordResult:
    """What recording (登簿) changed on the register."""

    case_number: str
    status: CaseStatus
    unit_number: str
    new_right_id: int | None
    ended_right_ids: tuple[int, ...]
    cancelled_certificates: tuple[str, ...]
    issued_certificates: tuple[str, ...]
    rank: int | None = None


DUE_OVERDUE = "overdue"
DUE_TODAY = "due_today"
DUE_OK = "ok"
DUE_DONE = "done"
DUE_STATE_LABELS = {DUE_OVERDUE: "已超期", DUE_TODAY: "今日到期", DUE_OK: "未到期", DUE_DONE: "已办结"}


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list, with the time-limit state against the caller's `today`."""

    case_number: str
    business_type: str
    business_label: str
    unit_number: str
    location: str
    status: CaseStatus
    accepted_on: date
    time_limit_days: int
    due_date: date
    due_state: str
    applicants: str
    working_days_taken: int | None = None  # once completed (登簿 or closed)
    finished_late: bool | None = None
    issues_certificate: bool = True

    @property
    def due_state_label(self) -> str:
        return DUE_STATE_LABELS[self.due_state]

    @property
    def status_text(self) -> str:
        return status_text(self.status, self.issues_certificate)


def status_text(status: CaseStatus, issues_certificate: bool) -> str:
    """The status as the counter reads it. A business that issues nothing (抵押权注销登记: the register entry
    is the whole result) ends in the same final state as one whose certificate was handed over, but reading
    "已发证" on it would send the applicant looking for a certificate: it reads "已办结"."""
    if status is CaseStatus.ISSUED and not issues_certificate:
        return "已办结"
    return status.label


def due_state(due_date: date, completed_on: date | None, today: date) -> str:
    """overdue / due_today / ok while open; done once completed (lateness is reported separately)."""
    if completed_on is not None:
        return DUE_DONE
    if today > due_date:
        return DUE_OVERDUE
    if today == due_date:
        return DUE_TODAY
    return DUE_OK


# ---------------------------------------------------------------------------------------------------------
# The status machine
# ---------------------------------------------------------------------------------------------------------

_S = CaseStatus
TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    _S.ACCEPTED: frozenset({_S.AWAITING_PAYMENT, _S.IN_REVIEW, _S.NOT_ACCEPTED, _S.WITHDRAWN}),
    _S.AWAITING_PAYMENT: frozenset({_S.IN_REVIEW, _S.NOT_ACCEPTED, _S.WITHDRAWN}),
    _S.IN_REVIEW: frozenset({_S.RECORDED, _S.REFUSED, _S.WITHDRAWN}),
    # A cancellation issues nothing, so it is finished (办结) straight after 登簿.
    _S.RECORDED: frozenset({_S.CERTIFICATE_READY, _S.ISSUED}),
    _S.CERTIFICATE_READY: frozenset({_S.ISSUED}),
    _S.ISSUED: frozenset(),
    _S.NOT_ACCEPTED: frozenset(),
    _S.WITHDRAWN: frozenset(),
    _S.REFUSED: frozenset(),
}

STATUS_RULE = "业务办理流程（受理→缴费→审核→登簿→缮证→发证）"

# What the clerk was trying to do, for the refusal message.
_ACTIONS = {
    _S.AWAITING_PAYMENT: "转入待缴费",
    _S.IN_REVIEW: "转入审核",
    _S.RECORDED: "登簿",
    _S.CERTIFICATE_READY: "缮证",
    _S.ISSUED: "发证",
    _S.NOT_ACCEPTED: "不予受理",
    _S.WITHDRAWN: "撤回",
    _S.REFUSED: "驳回",
}

CLOSING_STATUSES = (_S.NOT_ACCEPTED, _S.WITHDRAWN, _S.REFUSED)


def check_transition(case_number: str, current: CaseStatus, target: CaseStatus) -> None:
    """Refuses a move the process does not allow, saying where the case stands."""
    if target in TRANSITIONS[current]:
        return
    action = _ACTIONS.get(target, target.label)
    allowed = "、".join(_ACTIONS.get(s, s.label) for s in sorted(TRANSITIONS[current], key=list(_S).index))
    tail = f"；当前只能{allowed}" if allowed else "；该业务已终结，不能再变更"
    raise RuleViolation(
        f"业务 {case_number} 当前状态为“{current.label}”，不能{action}{tail}",
        rule=STATUS_RULE,
        record=case_number,
    )


def check_closing_reason(case_number: str, target: CaseStatus, reason: str) -> str:
    """不予受理、撤回、驳回 must say why (it is written to the applicant)."""
    text = reason.strip()
    if target not in CLOSING_STATUSES:
        raise ValueError(f"{target} is not a closing status")
    if not text:
        raise ValidationError(
            f"业务 {case_number} {_ACTIONS[target]}须填写原因（将告知申请人）",
            rule="条例第十七条、第二十二条 书面告知理由",
            record=case_number,
        )
    return text
