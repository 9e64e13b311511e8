"""免填写: intake requests filled from the register, each field naming the record it came from.

A prefill is an explicit action of the clerk ("从预告登记带入", "从登记簿带入"): it reads the unit's current
rights, builds an `IntakeRequest` ready for `cases.accept_case`, and keeps for every filled field the source
text shown beside it on the form. Other unfinished cases on the unit block the prefill exactly as they would
block acceptance (REFERENCE §10). The clerk may correct any filled field; before acceptance that is an edit
of the request (`Prefill.corrected`), after it `correct_field`; both leave the overridden source in the audit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, bindparam, literal_column, select

from registry_desk.storage.prepared import DriverSource, PreparedRead
from sqlalchemy.orm import Session

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    CancellationTerms,
    CaseSummary,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
    request_from_case,
)
from registry_desk.domain.certificates import looks_like_certificate_number, parse_certificate_number
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.money import Money, MoneyError
from registry_desk.domain.rules import (
    RULE_MORTGAGE_CANCEL,
    RULE_OWNERSHIP,
    OpenCase,
    PartySnapshot,
    RightSnapshot,
    UnitSnapshot,
    check_mortgage_terms,
    check_new_holders,
    check_no_open_case,
    lapse_warnings,
    next_mortgage_rank,
)
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy

# The case service owns the locking order (unit row, then case) and the summary; corrections reuse both.
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.registration.intake import accept_case
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import case_party_inputs, case_summary
from registry_desk.registration.versioning import commit_case
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, Case, Certificate, Party, Right, RightParty, Unit

RULE_PREFILL = "免填写：预填内容须注明来源记录，窗口人员核对后受理"
RULE_CORRECTION = "预填内容更正（受理后、登簿前；须留痕）"
AUDIT_ACCEPTED = "case.prefill_accepted"
AUDIT_CORRECTED = "case.correct_prefill"

# Form-only values: shown on the application form with their source, not part of IntakeRequest.
LOCATION = "坐落"
AREA = "面积"
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

_OPEN_STATUSES = [s for s in CaseStatus if s.is_open]
_CORRECTABLE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW)


# ---------------------------------------------------------------------------------------------------------
# Plain data handed to the form
# ---------------------------------------------------------------------------------------------------------


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
        return _get_path(self.request, path)

    def filled(self) -> dict[str, str]:
        """Every field the form shows with a value, as text (the clerk's check list)."""
        return {path: _text(self.value(path)) for path in self.sources}

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
        old = _get_path(self.request, path)
        new = _coerce(path, value)
        request = _set_path(self.request, path, new)
        previous = self.sources.get(path)
        previous_text = previous.text if previous else "窗口录入"
        source = FieldSource(
            f"窗口人员更正（原值：{_text(old) or '空'}，原来源：{previous_text}）",
            SOURCE_CORRECTION,
            previous_text,
        )
        return replace(
            self,
            request=request,
            sources={**self.sources, path: source},
            corrections=(*self.corrections, Correction(path, _text(old), _text(new), previous_text)),
        )

    def with_party(self, party: PartyInput, *, source: str = "窗口录入") -> Prefill:
        """Adds a party the register cannot know (the buyer of a resale), naming where it came from."""
        index = len(self.request.parties)
        request = replace(self.request, parties=(*self.request.parties, party))
        sources = dict(self.sources)
        for attr in _PARTY_ATTRS:
            if _present(getattr(party, attr)):
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
            match = _PATH.match(path)
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
                old, new = _get_path(self.request, path), _get_path(final, path)
            if _text(old) == _text(new):
                sources[new_path] = source
                continue
            sources[new_path] = FieldSource(
                f"窗口人员更正（原值：{_text(old) or '空'}，原来源：{source.text}）",
                SOURCE_CORRECTION,
                source.text,
            )
            corrections.append(Correction(new_path, _text(old), _text(new), source.text))
        for j, party in enumerate(after):
            if j in taken:
                continue
            for attr in _PARTY_ATTRS:
                if _present(getattr(party, attr)):
                    sources[f"parties[{j}].{attr}"] = FieldSource("窗口录入", SOURCE_CORRECTION)
        return replace(self, request=final, sources=sources, corrections=tuple(corrections))


# ---------------------------------------------------------------------------------------------------------
# Field paths
# ---------------------------------------------------------------------------------------------------------

_PARTY_ATTRS = ("name", "id_type", "id_number", "address", "phone", "legal_rep_name")
_MORTGAGE_ATTRS = (
    "mode",
    "amount",
    "debt_start",
    "debt_end",
    "guarantee_scope",
    "no_transfer",
    "mortgaged_area",
    "assessed_value",
)
_PATH = re.compile(
    r"^(?:parties\[(\d+)\]\.(\w+)|(notice\.mortgage|mortgage|cancellation|notice)\.(\w+)|(\w+))$"
)

_MORTGAGE_TYPES: dict[str, type] = {
    "mortgage.mode": MortgageMode,
    "mortgage.amount": Money,
    "mortgage.debt_start": date,
    "mortgage.debt_end": date,
    "mortgage.guarantee_scope": str,
    "mortgage.no_transfer": bool,
    "mortgage.mortgaged_area": Decimal,
    "mortgage.assessed_value": Money,
}
_TYPES: dict[str, type] = {
    "party.name": str,
    "party.id_type": IdType,
    "party.id_number": str,
    "party.address": str,
    "party.phone": str,
    "party.legal_rep_name": str,
    "party.share": Fraction,
    "party.wants_own_certificate": bool,
    **_MORTGAGE_TYPES,
    **{f"notice.{key}": kind for key, kind in _MORTGAGE_TYPES.items()},
    "cancellation.mortgage": str,
    "cancellation.reason": MortgageCancelReason,
    "cancellation.note": str,
    "notice.kind": AdvanceNoticeKind,
    "notice.price": Money,
    "price": Money,
    "co_ownership": CoOwnership,
    "note": str,
}


def expected_paths(request: IntakeRequest) -> tuple[str, ...]:
    """The fields a complete application form of this type shows (everything but the signatures)."""
    paths = ["unit_number", LOCATION, AREA]
    for index, party in enumerate(request.parties):
        attrs = list(_PARTY_ATTRS)
        if party.id_type is not IdType.USCC:
            attrs.remove("legal_rep_name")  # only a legal person has a 法定代表人
        paths.extend(f"parties[{index}].{attr}" for attr in attrs)
    if request.business_type == MORTGAGE_FIRST:
        paths.extend(f"mortgage.{attr}" for attr in _MORTGAGE_ATTRS)
    elif request.business_type == MORTGAGE_CANCEL:
        paths.extend(("cancellation.mortgage", "cancellation.reason"))
    elif request.business_type == TRANSFER and len(request.with_role(PartyRole.RIGHT_HOLDER)) > 1:
        paths.append("co_ownership")
    return tuple(paths)


def _parse_path(path: str) -> tuple[str, int | None, str]:
    """("party", index, attr), ("mortgage", None, attr) … or ("", None, attr) for top-level fields."""
    match = _PATH.match(path.strip())
    if match is None:
        raise ValidationError(f"无法识别的字段“{path}”", rule=RULE_CORRECTION, record=path)
    index, party_attr, group, group_attr, top = match.groups()
    key: tuple[str, int | None, str]
    if index is not None:
        key = ("party", int(index), party_attr)
    elif group is not None:
        key = (group, None, group_attr)
    else:
        key = ("", None, top)
    type_key = f"{key[0]}.{key[2]}" if key[0] else key[2]
    if type_key not in _TYPES and key[2] not in ("unit_number", "business_type"):
        raise ValidationError(f"字段“{path}”不能预填或更正", rule=RULE_CORRECTION, record=path)
    return key


def _get_path(request: IntakeRequest, path: str) -> Any:
    group, index, attr = _parse_path(path)
    if group == "party":
        assert index is not None
        if index >= len(request.parties):
            raise ValidationError(
                f"申请中没有第{index + 1}位当事人（{path}）", rule=RULE_CORRECTION, record=path
            )
        return getattr(request.parties[index], attr)
    if group:
        part = _group_value(request, group)
        return None if part is None else getattr(part, attr)
    return getattr(request, attr)


def _group_value(request: IntakeRequest, group: str) -> Any:
    """request.mortgage, request.notice, request.notice.mortgage … (None where a level is absent)."""
    part: Any = request
    for name in group.split("."):
        part = getattr(part, name) if part is not None else None
    return part


def _set_path(request: IntakeRequest, path: str, value: Any) -> IntakeRequest:
    group, index, attr = _parse_path(path)
    if group == "party":
        assert index is not None
        _get_path(request, path)  # refuses an index past the end
        parties = list(request.parties)
        parties[index] = replace(parties[index], **{attr: value})
        return replace(request, parties=tuple(parties))
    if group:
        part = _group_value(request, group)
        if part is None:
            raise ValidationError(
                f"本申请没有“{group}”部分，不能更正“{path}”", rule=RULE_CORRECTION, record=path
            )
        names = group.split(".")
        changed = replace(part, **{attr: value})
        for depth in range(len(names) - 1, 0, -1):  # notice.mortgage: the new terms into a new notice
            changed = replace(_group_value(request, ".".join(names[:depth])), **{names[depth]: changed})
        return replace(request, **{names[0]: changed})
    return replace(request, **{attr: value})


def _enum(kind: Any, value: str) -> Any:
    for member in kind:
        if value in (str(member.value), member.label):
            return member
    options = "、".join(m.label for m in kind)
    raise ValueError(f"可选：{options}")


def _coerce(path: str, value: Any) -> Any:
    """The typed value for a field from what the clerk entered (text or the typed value itself)."""
    group, _index, attr = _parse_path(path)
    wanted = _TYPES[f"{group}.{attr}" if group else attr]
    if value is None or isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
        return value.strip() if isinstance(value, str) else value
    text = str(value).strip()
    try:
        if wanted is Money:
            return Money.yuan(text.removesuffix("元"))
        if wanted is date:
            return date.fromisoformat(text)
        if wanted is Decimal:
            return Decimal(text.removesuffix("㎡"))
        if wanted is Fraction:
            return Fraction(text)
        if wanted is bool:
            if text in ("是", "true", "True", "1"):
                return True
            if text in ("否", "false", "False", "0"):
                return False
            raise ValueError("请填“是”或“否”")
        if wanted is str:
            return text
        return _enum(wanted, text)
    except (ValueError, ArithmeticError, InvalidOperation, MoneyError) as exc:
        raise ValidationError(
            f"字段“{path}”的值“{value}”格式不对：{exc}", rule=RULE_CORRECTION, record=path
        ) from exc


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A value as the form prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Money):
        return f"{value}元"
    if isinstance(value, date):
        return f"{value:%Y年%m月%d日}"
    if isinstance(value, Decimal):
        return f"{value:.2f}㎡"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    label = getattr(value, "label", None)
    return str(label) if label is not None else str(value)


# ---------------------------------------------------------------------------------------------------------
# Reading the unit: three indexed queries (unit with current rights and parties, certificates, open cases)
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _PartyRow:
    role: PartyRole
    share: Fraction | None
    kind: PartyKind
    name: str
    id_type: IdType
    id_number: str
    address: str | None
    phone: str | None
    legal_rep_name: str | None


@dataclass
class _RightRow:
    id: int
    right_type: RightType
    notice_kind: AdvanceNoticeKind | None
    co_ownership: CoOwnership | None
    price: Money | None
    mortgage_mode: MortgageMode | None
    secured_amount: Money | None
    debt_start: date | None
    debt_end: date | None
    guarantee_scope: str | None
    rank: int | None
    no_transfer: bool | None
    mortgaged_area: Decimal | None
    assessed_value: Money | None
    court: str | None
    court_document_no: str | None
    notice_lapses_on: date | None
    registered_at: datetime | None
    parties: list[_PartyRow] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.notice_kind is not None:
            return self.notice_kind.label
        return "房地产权" if self.right_type is RightType.OWNERSHIP else self.right_type.label

    @property
    def reference(self) -> str:
        return self.certificates[0] if self.certificates else f"权利记录{self.id}"

    def of_role(self, role: PartyRole) -> list[_PartyRow]:
        return [p for p in self.parties if p.role is role]

    def snapshot(self) -> RightSnapshot:
        return RightSnapshot(
            id=self.id,
            right_type=self.right_type,
            parties=tuple(
                PartySnapshot(p.id_type, p.id_number, p.name, p.role, p.share) for p in self.parties
            ),
            notice_kind=self.notice_kind,
            rank=self.rank,
            no_transfer=bool(self.no_transfer),
            mortgage_mode=self.mortgage_mode,
            co_ownership=self.co_ownership,
            certificate_numbers=tuple(self.certificates),
            court=self.court,
            court_document_no=self.court_document_no,
            notice_lapses_on=self.notice_lapses_on,
        )


@dataclass
class _UnitView:
    id: int
    unit_number: str
    location: str
    building_area: Decimal
    rights: list[_RightRow]
    open_cases: list[OpenCase]

    def of_type(self, right_type: RightType) -> list[_RightRow]:
        return [r for r in self.rights if r.right_type is right_type]

    @property
    def ownership(self) -> _RightRow | None:
        owned = self.of_type(RightType.OWNERSHIP)
        return owned[0] if owned else None

    def snapshot(self) -> UnitSnapshot:
        return UnitSnapshot(
            self.unit_number,
            self.location,
            tuple(r.snapshot() for r in self.rights),
            tuple(self.open_cases),
        )


_RIGHT_COLUMNS = (
    Right.id,
    Right.right_type,
    Right.notice_kind,
    Right.co_ownership,
    Right.price,
    Right.mortgage_mode,
    Right.secured_amount,
    Right.debt_start,
    Right.debt_end,
    Right.guarantee_scope,
    Right.rank,
    Right.no_transfer,
    Right.mortgaged_area,
    Right.assessed_value,
    Right.court,
    Right.court_document_no,
    Right.notice_lapses_on,
    Right.registered_at,
)
_PARTY_COLUMNS = (
    RightParty.role,
    RightParty.share,
    Party.kind,
    Party.name,
    Party.id_type,
    Party.id_number,
    Party.address,
    Party.phone,
    Party.legal_rep_name,
)


def _code(value: Any) -> Any:
    # Status codes are constants of the schema, written into the SQL so the text needs no bind processing.
    return literal_column(f"'{value.value}'")


_UNIT_READ = PreparedRead(
    select(Unit.id, Unit.unit_number, Unit.location, Unit.building_area, *_RIGHT_COLUMNS, *_PARTY_COLUMNS)
    .select_from(Unit)
    .outerjoin(Right, (Right.unit_id == Unit.id) & (Right.status == _code(RightStatus.CURRENT)))
    .outerjoin(RightParty, RightParty.right_id == Right.id)
    .outerjoin(Party, Party.id == RightParty.party_id)
    .where(Unit.unit_number == bindparam("unit_number"))
    .order_by(Right.registered_at, Right.id, RightParty.position)
)
_CERTIFICATES_READ = PreparedRead(
    select(Certificate.right_id, Certificate.number)
    .where(
        Certificate.unit_id == bindparam("unit_id"), Certificate.status == _code(CertificateStatus.CURRENT)
    )
    .order_by(Certificate.id)
)
_OPEN_CASES_READ = PreparedRead(
    select(Case.case_number, Case.business_type, Case.status)
    .where(Case.unit_id == bindparam("unit_id"), Case.status.in_([_code(st) for st in _OPEN_STATUSES]))
    .order_by(Case.id)
)


def _read_unit(session: Session | Connection | DriverSource, unit_number: str) -> _UnitView:
    number = unit_number.strip().upper()
    rows, dialect = _UNIT_READ.raw_rows(session, unit_number=number)
    if not rows:
        raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
    # The join repeats the unit on every row and a right on each of its parties' rows: each is converted
    # once, when first met.
    n_right = len(_RIGHT_COLUMNS)
    party_start = 4 + n_right
    right_of = _UNIT_READ.slice_converter(dialect, 4, party_start)
    party_of = _UNIT_READ.slice_converter(dialect, party_start, party_start + len(_PARTY_COLUMNS))
    view = _UnitView(*_UNIT_READ.slice_converter(dialect, 0, 4)(rows[0][:4]), [], [])
    by_id: dict[int, _RightRow] = {}
    for row in rows:
        right_id = row[4]
        if right_id is None:
            continue
        right = by_id.get(right_id)
        if right is None:
            right = by_id[right_id] = _RightRow(*right_of(row[4:party_start]))
            view.rights.append(right)
        if row[party_start] is not None:
            right.parties.append(_PartyRow(*party_of(row[party_start:])))
    if by_id:
        for right_id, cert_number in _CERTIFICATES_READ.rows(session, unit_id=view.id):
            if right_id in by_id:
                by_id[right_id].certificates.append(cert_number)
    open_cases = _OPEN_CASES_READ.rows(session, unit_id=view.id)
    if open_cases:
        policy = load_policy()
        view.open_cases = [
            OpenCase(case_number, policy.label(key), status) for case_number, key, status in open_cases
        ]
    return view


# ---------------------------------------------------------------------------------------------------------
# Building the requests
# ---------------------------------------------------------------------------------------------------------


class _Builder:
    """Collects parties and their sources while a request is assembled."""

    def __init__(self, unit: _UnitView) -> None:
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
    def right_source(right: _RightRow) -> FieldSource:
        kind = SOURCE_NOTICE if right.right_type is RightType.ADVANCE_NOTICE else SOURCE_REGISTER
        where = "预告登记" if kind == SOURCE_NOTICE else "登记簿"
        return FieldSource(f"来自 {where} {right.label} {right.reference}", kind, right.reference)

    def add(self, role: PartyRole, p: _PartyRow, source: FieldSource) -> None:
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
            if _present(getattr(self.parties[index], attr)):
                self.sources[f"parties[{index}].{attr}"] = contact

    def add_known(
        self,
        session: Session | Connection | DriverSource,
        role: PartyRole,
        id_number: str,
        source: FieldSource,
    ) -> bool:
        party = _party_by_number(session, id_number)
        if party is None:
            return False
        self.add(role, party, source)
        return True

    def display(self) -> dict[str, str]:
        return {LOCATION: self.unit.location, AREA: f"{self.unit.building_area:.2f}㎡"}

    def fill(self, group: str, values: Mapping[str, Any], source: FieldSource) -> None:
        for attr, value in values.items():
            if _present(value):
                self.sources[f"{group}.{attr}"] = source


_PARTY_READ = PreparedRead(
    select(*_PARTY_COLUMNS[2:])  # the party's own columns, without its role and share in a right
    .where(Party.id_number == bindparam("id_number"))
    .order_by(Party.id)  # (id_type, id_number) is unique, so at most a handful of rows
)


def _party_by_number(session: Session | Connection | DriverSource, id_number: str) -> _PartyRow | None:
    rows = _PARTY_READ.rows(session, id_number=id_number.strip().upper())
    if not rows:
        return None
    return _PartyRow(PartyRole.RIGHT_HOLDER, None, *rows[0])


def _require_ownership(unit: _UnitView, label: str) -> _RightRow:
    ownership = unit.ownership
    if ownership is None or not ownership.of_role(PartyRole.RIGHT_HOLDER):
        raise RuleViolation(
            f"单元 {unit.unit_number} 在登记簿上没有现势的房屋所有权，不能预填{label}",
            rule=RULE_OWNERSHIP,
            record=unit.unit_number,
        )
    return ownership


def _keys(parties: list[_PartyRow]) -> set[tuple[IdType, str]]:
    return {(p.id_type, p.id_number) for p in parties}


def _names(parties: list[_PartyRow]) -> str:
    return "、".join(p.name for p in parties)


def _mortgage_notice(unit: _UnitView, notice_kind: AdvanceNoticeKind | None) -> _RightRow | None:
    notices = [
        r
        for r in unit.of_type(RightType.ADVANCE_NOTICE)
        if r.notice_kind is not None
        and r.notice_kind.is_mortgage
        and (notice_kind is None or r.notice_kind is notice_kind)
    ]
    if len(notices) > 1:
        listed = "、".join(
            f"{n.label}（{n.reference}，权利人{_names(n.of_role(PartyRole.RIGHT_HOLDER))}）" for n in notices
        )
        raise ValidationError(
            f"单元 {unit.unit_number} 有{len(notices)}项抵押权预告登记：{listed}，请指明从哪一项带入",
            rule=RULE_PREFILL,
            record=unit.unit_number,
        )
    return notices[0] if notices else None


def _add_contract_bank(
    session: Session | Connection | DriverSource, b: _Builder, contract: ContractData
) -> FieldSource:
    """The mortgagee named by the bank's contract, as the register knows it (or as the contract names it)."""
    source = FieldSource(
        f"来自 银行报送的抵押合同 {contract.contract_no}（{contract.bank_uscc}）",
        SOURCE_CONTRACT,
        contract.contract_no,
    )
    if not b.add_known(session, PartyRole.RIGHT_HOLDER, contract.bank_uscc, source):
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
    b.fill(group, {a: getattr(terms, a) for a in _MORTGAGE_ATTRS}, source)
    if terms.mortgaged_area is None:
        terms = replace(terms, mortgaged_area=b.unit.building_area)
        b.sources[f"{group}.mortgaged_area"] = b.unit_source()
    return terms


def _prefill_mortgage_first(
    session: Session | Connection | DriverSource,
    unit: _UnitView,
    notice_kind: AdvanceNoticeKind | None,
    contract: ContractData | None,
) -> Prefill:
    label = "抵押权首次登记"
    b = _Builder(unit)
    notice = _mortgage_notice(unit, notice_kind)
    ownership = _require_ownership(unit, label)
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
        if _keys(notice_obligors) != _keys(owners):
            raise RuleViolation(
                f"{notice.label}（{notice.reference}）的抵押人{_names(notice_obligors)}与单元 {unit.unit_number} "
                f"登记簿记载的所有权人{_names(owners)}（{ownership.reference}）不一致：须先办理转移登记，"
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
        b.fill("mortgage", {a: getattr(terms, a) for a in _MORTGAGE_ATTRS}, source)
        if notice.no_transfer is None:
            b.sources.pop("mortgage.no_transfer", None)
        if terms.mortgaged_area is None:
            terms = replace(terms, mortgaged_area=unit.building_area)
            b.sources["mortgage.mortgaged_area"] = b.unit_source()
        if contract is not None:
            b.warnings.extend(_contract_differences(notice, contract))
    else:
        assert contract is not None
        source = _add_contract_bank(session, b, contract)
        for owner in owners:
            b.add(PartyRole.OBLIGOR, owner, owner_source)
        for number in contract.debtor_id_numbers:
            if not b.add_known(session, PartyRole.DEBTOR, number, source):
                raise ValidationError(
                    f"抵押合同 {contract.contract_no} 的债务人（证件号 {number}）不在登记系统中，请在窗口录入",
                    rule=RULE_PREFILL,
                    record=number,
                )
        terms = _contract_terms(b, contract, source, "mortgage")
    mortgages = unit.of_type(RightType.MORTGAGE)
    if mortgages:
        rank = next_mortgage_rank(unit.snapshot())
        b.warnings.append(
            f"单元 {unit.unit_number} 已设有{len(mortgages)}项抵押权（"
            + "、".join(
                f"{m.reference}，抵押权人{_names(m.of_role(PartyRole.RIGHT_HOLDER))}" for m in mortgages
            )
            + f"），本次抵押登簿后为第{rank}顺位"
        )
    request = IntakeRequest(MORTGAGE_FIRST, unit.unit_number, tuple(b.parties), mortgage=terms)
    return Prefill(request, b.sources, b.display(), tuple(b.warnings))


def _contract_differences(notice: _RightRow, contract: ContractData) -> list[str]:
    """Where the bank's contract and the registered notice disagree: the clerk must decide."""
    pairs = (
        ("抵押方式", notice.mortgage_mode, contract.mode),
        ("债权数额", notice.secured_amount, contract.amount),
        ("债务履行起始日期", notice.debt_start, contract.debt_start),
        ("债务履行结束日期", notice.debt_end, contract.debt_end),
        ("禁止转让", bool(notice.no_transfer), contract.no_transfer),
    )
    return [
        f"银行报送的抵押合同 {contract.contract_no} 的{label}为{_text(theirs)}，与{notice.label}（{notice.reference}）"
        f"记载的{_text(ours)}不一致，已按预告登记带入，请核对"
        for label, ours, theirs in pairs
        if ours != theirs
    ]


def _find_mortgage(unit: _UnitView, reference: str | None) -> _RightRow:
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
            f"{m.reference}（抵押权人{_names(m.of_role(PartyRole.RIGHT_HOLDER))}）" for m in mortgages
        )
        raise ValidationError(
            f"单元 {unit.unit_number} 有{len(mortgages)}项抵押权：{listed}，请填写要注销的抵押权的证明号",
            rule=RULE_MORTGAGE_CANCEL,
            record=unit.unit_number,
        )
    text = reference.strip()
    wanted = str(parse_certificate_number(text)) if looks_like_certificate_number(text) else None
    for m in mortgages:
        if (wanted is not None and wanted in m.certificates) or (
            wanted is None and text.isdigit() and int(text) == m.id
        ):
            return m
    raise RuleViolation(
        f"单元 {unit.unit_number} 没有证明号或权利记录号为“{text}”的现势抵押权（可能已注销，或不在本单元）",
        rule=RULE_MORTGAGE_CANCEL,
        record=text,
    )


def _prefill_mortgage_cancel(unit: _UnitView, reference: str | None) -> Prefill:
    b = _Builder(unit)
    mortgage = _find_mortgage(unit, reference)
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


def _prefill_transfer(unit: _UnitView) -> Prefill:
    label = "转移登记"
    b = _Builder(unit)
    ownership = _require_ownership(unit, label)
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


def _prefill_advance_notice(
    session: Session | Connection | DriverSource,
    unit: _UnitView,
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
    ownership = _require_ownership(unit, kind.label)
    bank_source = _add_contract_bank(session, b, contract) if contract is not None else None
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


# ---------------------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------------------


def prefill(
    db: Database,
    actor: Actor,
    business_type: str,
    unit_number: str,
    *,
    notice_kind: AdvanceNoticeKind | int | None = None,
    mortgage: str | ContractData | None = None,
) -> Prefill:
    """Fills an application of `business_type` for the unit from the register.

    - "mortgage_first": from the unit's 抵押权预告登记 (restricted to `notice_kind` if given), or, where the
      unit has none, from `mortgage` = the bank's `ContractData` plus the current ownership;
    - "mortgage_cancel": the mortgage whose 证明 number (or right id) is `mortgage`, or the unit's only one;
    - "transfer": the sellers from the ownership, the buyers from a purchase notice where one stands;
    - "advance_notice" of `notice_kind`: the obligors (sellers, or mortgagors) from the register; for a
      mortgage notice, the bank and the terms from `mortgage` = the bank's `ContractData` if given.

    Another unfinished case on the unit refuses the prefill with the same RuleViolation as acceptance.
    """
    actor.require(Role.CLERK, operation="预填申请（免填写）")
    kind = None
    if notice_kind is not None:
        kind = next((k for k in AdvanceNoticeKind if int(k) == int(notice_kind)), None)
        if kind is None and business_type == ADVANCE_NOTICE:
            raise ValidationError(
                f"预告登记种类“{notice_kind}”不存在（1 至 4）", rule=RULE_PREFILL, record=str(notice_kind)
            )
        if business_type != ADVANCE_NOTICE and (kind is None or not kind.is_mortgage):
            raise ValidationError(
                f"预告登记种类“{notice_kind}”不是抵押权预告登记（3 或 4）",
                rule=RULE_PREFILL,
                record=str(notice_kind),
            )
    # A prefill is a draft that acceptance re-checks under the unit lock, so its few reads need no shared
    # transaction: the look-up connection spares the clerk's critical path the session and BEGIN/ROLLBACK.
    with db.lookup_raw() as raw:
        s = DriverSource(raw, db.engine.dialect)
        unit = _read_unit(s, unit_number)
        snapshot = unit.snapshot()
        check_no_open_case(snapshot)
        if business_type == MORTGAGE_FIRST:
            if isinstance(mortgage, str):
                raise ValidationError(
                    "抵押权首次登记预填时只能给出银行报送的抵押合同数据", rule=RULE_PREFILL, record=mortgage
                )
            result = _prefill_mortgage_first(s, unit, kind, mortgage)
        elif business_type == MORTGAGE_CANCEL:
            if isinstance(mortgage, ContractData):
                raise ValidationError(
                    "抵押权注销登记预填时请给出要注销的抵押权证明号",
                    rule=RULE_PREFILL,
                    record=mortgage.contract_no,
                )
            result = _prefill_mortgage_cancel(unit, mortgage)
        elif business_type == TRANSFER:
            result = _prefill_transfer(unit)
        elif business_type == ADVANCE_NOTICE:
            if isinstance(mortgage, str):
                raise ValidationError(
                    "预告登记预填时只能给出银行报送的抵押合同数据", rule=RULE_PREFILL, record=mortgage
                )
            result = _prefill_advance_notice(s, unit, kind, mortgage)
        else:
            label = load_policy().label(business_type)
            raise ValidationError(
                f"{label}暂不支持免填写预填，请在窗口录入", rule=RULE_PREFILL, record=business_type
            )
    lapses = lapse_warnings(snapshot, utc_now().date())
    return replace(result, warnings=(*result.warnings, *lapses))


def identify(
    db: Database, actor: Actor, id_number: str, *, role: PartyRole = PartyRole.RIGHT_HOLDER
) -> PartyInput | None:
    """The party with this ID number as the register knows it (an ID-card reader types the number)."""
    actor.require(Role.CLERK, operation="读取当事人信息")
    with db.unit_of_work(write=False) as uow:
        party = _party_by_number(uow.session, id_number)
    if party is None:
        return None
    return PartyInput(
        role=role,
        name=party.name,
        id_type=party.id_type,
        id_number=party.id_number,
        address=party.address,
        phone=party.phone,
        legal_rep_name=party.legal_rep_name if party.id_type is IdType.USCC else None,
    )


def _json_value(value: Any) -> Any:
    """A value for the audit trail as the clerk saw it on the form (enums by their label, money in yuan)."""
    if value is None or (isinstance(value, (bool, int, str)) and not hasattr(value, "label")):
        return value
    return _text(value)


def accept_prefilled(
    db: Database, actor: Actor, prefill: Prefill, *, now: datetime | None = None
) -> CaseSummary:
    """Accepts the prefilled request (cases.accept_case) and audits which fields came from where and what
    the clerk corrected, in the same transaction: the case is saved with its sources or not at all."""
    now = now or utc_now()
    return accept_case(db, actor, prefill.request, now=now, also_audit=prefill_audit(prefill))


def prefill_audit(prefill: Prefill) -> tuple[str, dict[str, Any]]:
    """The `case.prefill_accepted` event as cases.accept_case writes it with the case: which fields of the
    accepted case came from where and what the clerk corrected (`correct_field` later reads the sources
    from it)."""
    fields = {
        path: {"value": _json_value(prefill.value(path)), "source": source.text}
        for path, source in sorted(prefill.sources.items())
    }
    return AUDIT_ACCEPTED, {
        "business_type": prefill.request.business_type,
        "fields": fields,
        "corrections": [
            {
                "field": c.path,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "overridden_source": c.overridden_source,
            }
            for c in prefill.corrections
        ],
        "warnings": list(prefill.warnings),
    }


def _last_source(session: Session, case_id: int, path: str) -> str:
    events = session.execute(
        select(AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.case_id == case_id, AuditEvent.action.in_((AUDIT_ACCEPTED, AUDIT_CORRECTED)))
        .order_by(AuditEvent.seq)
    ).all()
    source = "受理时窗口录入"
    for action, after in events:
        after = after or {}
        if action == AUDIT_ACCEPTED and path in after.get("fields", {}):
            source = after["fields"][path]["source"]
        elif action == AUDIT_CORRECTED and after.get("field") == path:
            source = after["source"]
    return source


def correct_field(
    db: Database,
    actor: Actor,
    case_number: str,
    field_path: str,
    new_value: Any,
    *,
    source: str,
    now: datetime | None = None,
) -> CaseSummary:
    """The clerk corrects a prefilled field of an accepted case, before recording: the case (or the party's
    record) changes and one audit event keeps the old value, the new one and the source it overrode."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="更正预填内容")
    now = now or utc_now()
    reason = source.strip()
    if not reason:
        raise ValidationError(
            f"更正业务 {case_number} 的“{field_path}”须注明新值的依据（如 申请人出示的证件、银行更正函）",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    group, index, attr = _parse_path(field_path)
    if group == "party" and attr in ("name", "id_type", "id_number"):
        raise RuleViolation(
            f"申请人身份（姓名、证件种类、证件号）不能更正；业务 {case_number} 的当事人有误须撤回后重新受理",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    if group == "" and attr in ("unit_number", "business_type"):
        raise RuleViolation(
            f"业务 {case_number} 的不动产单元和业务类型不能更正，须撤回后重新受理",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    value = _coerce(field_path, new_value)
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        if case.status not in _CORRECTABLE_STATUSES:
            raise RuleViolation(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，只能在登簿前更正预填内容；"
                "登簿后的错误须办理更正登记",
                rule=RULE_CORRECTION,
                record=case.case_number,
            )
        request = request_from_case(
            case.business_type, case.unit.unit_number, case_party_inputs(case), case.form
        )
        old = _get_path(request, field_path)
        changed = _set_path(request, field_path, value)
        if group == "mortgage":
            check_mortgage_terms(changed.mortgage, case.case_number)
        if group == "party" and attr == "share" or field_path == "co_ownership":
            holders = changed.with_role(PartyRole.RIGHT_HOLDER)
            check_new_holders(changed.co_ownership, holders, case.case_number)
        if group == "party":
            assert index is not None
            case_party = next(cp for cp in case.parties if cp.position == index)
            if attr in ("share", "wants_own_certificate"):
                setattr(case_party, attr, value)
            else:
                old = getattr(case_party.party, attr)
                setattr(case_party.party, attr, value)
        else:
            # Case.form is JSON: assign a new dict so the change is flushed.
            case.form = {**case.form, **changed.terms_form()}
            if field_path == "co_ownership":
                for cp in case.parties:
                    if cp.role is PartyRole.RIGHT_HOLDER:
                        cp.co_ownership = value
        overridden = _last_source(s, case.id, field_path)
        audit.append(
            s,
            actor,
            AUDIT_CORRECTED,
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"field": field_path, "value": _json_value(old), "source": overridden},
            after={"field": field_path, "value": _json_value(value), "source": f"窗口人员更正：{reason}"},
            at=now,
        )
        s.flush()
        summary = case_summary(s, case, policy.get(case.business_type))
        commit_case(uow, case.case_number)
    return summary
