"""The fields of a prefilled application form, by path ("parties[0].name", "mortgage.amount", "坐落"): which
paths a form of each type shows, reading and replacing a value at a path, the clerk's text typed to the
field's value, and a value as the form prints it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from registry_desk.domain.cases import MORTGAGE_CANCEL, MORTGAGE_FIRST, TRANSFER, IntakeRequest
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
)
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money, MoneyError

RULE_CORRECTION = "预填内容更正（受理后、登簿前；须留痕）"

# Form-only values: shown on the application form with their source, not part of IntakeRequest.
LOCATION = "坐落"
AREA = "面积"

PARTY_ATTRS = ("name", "id_type", "id_number", "address", "phone", "legal_rep_name")
MORTGAGE_ATTRS = (
    "mode",
    "amount",
    "debt_start",
    "debt_end",
    "guarantee_scope",
    "no_transfer",
    "mortgaged_area",
    "assessed_value",
)
FIELD_PATH = re.compile(
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
        attrs = list(PARTY_ATTRS)
        if party.id_type is not IdType.USCC:
            attrs.remove("legal_rep_name")  # only a legal person has a 法定代表人
        paths.extend(f"parties[{index}].{attr}" for attr in attrs)
    if request.business_type == MORTGAGE_FIRST:
        paths.extend(f"mortgage.{attr}" for attr in MORTGAGE_ATTRS)
    elif request.business_type == MORTGAGE_CANCEL:
        paths.extend(("cancellation.mortgage", "cancellation.reason"))
    elif request.business_type == TRANSFER and len(request.with_role(PartyRole.RIGHT_HOLDER)) > 1:
        paths.append("co_ownership")
    return tuple(paths)


def parse_path(path: str) -> tuple[str, int | None, str]:
    """("party", index, attr), ("mortgage", None, attr) … or ("", None, attr) for top-level fields."""
    match = FIELD_PATH.match(path.strip())
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


def get_path(request: IntakeRequest, path: str) -> Any:
    group, index, attr = parse_path(path)
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


def set_path(request: IntakeRequest, path: str, value: Any) -> IntakeRequest:
    group, index, attr = parse_path(path)
    if group == "party":
        assert index is not None
        get_path(request, path)  # refuses an index past the end
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


def coerce_value(path: str, value: Any) -> Any:
    """The typed value for a field from what the clerk entered (text or the typed value itself)."""
    group, _index, attr = parse_path(path)
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


def is_present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def form_text(value: Any) -> str:
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
