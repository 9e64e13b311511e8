"""The trial calculation of fees and taxes (税费试算): loads the policy data and builds one Quote per case."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from registry_desk.domain import taxes
from registry_desk.domain.charges import Condition, Payer, PolicyRow, Quote, TaxpayerRole
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.fees import FEE_FACTS, Business, FeeCase, FeePolicy, PayerRule, fee_quote
from registry_desk.domain.quote_request import QuoteRequest
from registry_desk.domain.taxes import (
    TAX_FACTS,
    TAX_FLAGS,
    PolicyFlag,
    PolicyTaxAssessor,
    TaxAssessor,
    TaxPolicy,
)
from registry_desk.resources_path import resource

_ROW_KEYS = {"item", "from", "to", "rate", "conditions", "source", "note", "unverified"}


class _Reader:
    """Reads one policy file and names the file and the entry in every complaint."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> ValidationError:
        return ValidationError(
            f"政策数据文件 {self.path.name} {where}：{problem}", rule="政策数据格式", record=str(self.path)
        )

    def load(self) -> dict[str, Any]:
        def no_float(text: str) -> Decimal:
            # A rate written as a JSON number would already be a binary float; insist on strings.
            raise self.fail("", f'数值 {text} 须写成字符串（如 "0.01"），不得使用浮点数')

        try:
            data = json.loads(self.path.read_text(encoding="utf-8"), parse_float=no_float)
        except OSError as exc:
            raise self.fail("", f"无法读取（{exc}）") from exc
        except json.JSONDecodeError as exc:
            raise self.fail(f"第{exc.lineno}行", f"不是有效的 JSON（{exc.msg}）") from exc
        if not isinstance(data, dict):
            raise self.fail("", "顶层须为对象")
        return data

    def text(self, entry: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(where, f"“{key}”须为非空文字")
        return value

    def day(self, entry: Mapping[str, Any], key: str, where: str, *, open_end: bool = False) -> date | None:
        value = entry.get(key)
        if value is None and open_end:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(where, f"“{key}”须为 YYYY-MM-DD 日期（收到 {value!r}）") from None

    def flag(self, entry: Mapping[str, Any], key: str, where: str) -> bool:
        value = entry.get(key)
        if not isinstance(value, bool):
            raise self.fail(where, f"“{key}”须为 true 或 false")
        return value

    def period(self, entry: Mapping[str, Any], where: str) -> tuple[date, date | None]:
        start = self.day(entry, "from", where)
        end = self.day(entry, "to", where, open_end=True)
        assert start is not None
        if end is not None and end < start:
            raise self.fail(where, f"截止日 {end} 早于起始日 {start}")
        return start, end

    def rows(
        self, data: Mapping[str, Any], facts: Iterable[str], items: Iterable[str]
    ) -> tuple[PolicyRow, ...]:
        entries = data.get("rows")
        if not isinstance(entries, list) or not entries:
            raise self.fail("", "缺少 rows 列表")
        known_items = set(items)
        parsed = []
        for number, entry in enumerate(entries, start=1):
            where = f"rows 第{number}条"
            if not isinstance(entry, dict):
                raise self.fail(where, "须为对象")
            missing = _ROW_KEYS - entry.keys()
            if missing:
                raise self.fail(where, f"缺少字段 {'、'.join(sorted(missing))}")
            item = self.text(entry, "item", where)
            if item not in known_items:
                raise self.fail(where, f"未知项目“{item}”（可用：{'、'.join(sorted(known_items))}）")
            start, end = self.period(entry, where)
            raw_rate = entry["rate"]
            try:
                if not isinstance(raw_rate, str):
                    raise InvalidOperation
                rate = Decimal(raw_rate)
                if not rate.is_finite() or rate < 0:
                    raise InvalidOperation
            except InvalidOperation:
                raise self.fail(where, f"rate 须为不小于0的小数字符串（收到 {raw_rate!r}）") from None
            conditions_data = entry["conditions"]
            if not isinstance(conditions_data, dict):
                raise self.fail(where, "conditions 须为对象")
            try:
                conditions = tuple(Condition.parse(k, v, facts) for k, v in conditions_data.items())
            except ValueError as exc:
                raise self.fail(where, str(exc)) from None
            parsed.append(
                PolicyRow(
                    item=item,
                    valid_from=start,
                    valid_to=end,
                    rate=rate,
                    conditions=conditions,
                    source=self.text(entry, "source", where),
                    note=self.text(entry, "note", where),
                    unverified=self.flag(entry, "unverified", where),
                    ref=f"{self.path.name} {where}",
                )
            )
        return tuple(parsed)


def _enum(reader: _Reader, enum: Any, value: object, key: str, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = "、".join(str(m) for m in enum)
        raise reader.fail(where, f"“{key}”的值 {value!r} 无效（可用：{allowed}）") from None


def load_fee_policy(path: Path | None = None) -> FeePolicy:
    """Parses resources/policy/fees.json (or `path`) into a FeePolicy; refuses malformed data with the place."""
    reader = _Reader(path or resource("policy", "fees.json"))
    data = reader.load()
    rows = reader.rows(data, FEE_FACTS, ("登记费", "工本费", "小微企业免收登记费"))
    payers = []
    entries = data.get("payers")
    if not isinstance(entries, list):
        raise reader.fail("", "缺少 payers 列表")
    for number, entry in enumerate(entries, start=1):
        where = f"payers 第{number}条"
        if not isinstance(entry, dict):
            raise reader.fail(where, "须为对象")
        payers.append(
            PayerRule(
                business=_enum(reader, Business, entry.get("business"), "business", where),
                payer=_enum(reader, Payer, entry.get("payer"), "payer", where),
                taxpayer_role=_enum(reader, TaxpayerRole, entry.get("taxpayer_role"), "taxpayer_role", where),
                source=reader.text(entry, "source", where),
                note=reader.text(entry, "note", where, empty=True),
                unverified=reader.flag(entry, "unverified", where),
            )
        )
    return FeePolicy(version=str(data.get("version", "")), rows=rows, payers=tuple(payers))


def load_tax_policy(path: Path | None = None) -> TaxPolicy:
    """Parses resources/policy/taxes.json (or `path`) into a TaxPolicy."""
    reader = _Reader(path or resource("policy", "taxes.json"))
    data = reader.load()
    items = (
        taxes.ITEM_DEED_TAX,
        taxes.ITEM_VAT,
        *taxes.SURCHARGE_ITEMS,
        taxes.ITEM_SURCHARGE_RELIEF,
        taxes.ITEM_INCOME_TAX,
        taxes.ITEM_INCOME_TAX_EXEMPTION,
        taxes.ITEM_STAMP_DUTY,
        taxes.ITEM_LAND_VAT,
    )
    rows = reader.rows(data, TAX_FACTS, items)
    flags = []
    entries = data.get("flags", [])
    if not isinstance(entries, list):
        raise reader.fail("", "flags 须为列表")
    for number, entry in enumerate(entries, start=1):
        where = f"flags 第{number}条"
        if not isinstance(entry, dict):
            raise reader.fail(where, "须为对象")
        name = reader.text(entry, "name", where)
        if name not in TAX_FLAGS:
            raise reader.fail(where, f"未知开关“{name}”")
        start, end = reader.period(entry, where)
        flags.append(
            PolicyFlag(
                name=name,
                valid_from=start,
                valid_to=end,
                value=reader.flag(entry, "value", where),
                source=reader.text(entry, "source", where),
                note=reader.text(entry, "note", where),
                unverified=reader.flag(entry, "unverified", where),
            )
        )
    return TaxPolicy(version=str(data.get("version", "")), rows=rows, flags=tuple(flags))


@cache
def default_fee_policy() -> FeePolicy:
    return load_fee_policy()


@cache
def default_tax_assessor() -> PolicyTaxAssessor:
    return PolicyTaxAssessor(load_tax_policy())


def compute_quote(
    request: QuoteRequest,
    *,
    fee_policy: FeePolicy | None = None,
    tax_assessor: TaxAssessor | None = None,
) -> Quote:
    """The taxes (for a transfer) followed by the fee lines; defaults to the shipped policy data."""
    fees = fee_quote(
        fee_policy or default_fee_policy(),
        FeeCase(
            business=request.business,
            property_use=request.property_use,
            on=request.application_date,
            extra_certificates=request.extra_certificates,
            small_enterprise=request.small_enterprise,
        ),
    )
    if request.transfer is None:
        return fees
    assessor = tax_assessor or default_tax_assessor()
    return assessor.assess(request.transfer) + fees


def rate_text(rate: Decimal) -> str:
    """A rate as plain decimal text without trailing zeros: 0.01, 0.035, 1, 0."""
    return format(rate.normalize(), "f") if rate else "0"


def quote_as_dict(quote: Quote) -> dict[str, Any]:
    """The quote as JSON-ready data (the `registry-desk quote --json` shape); amounts are yuan strings."""
    return {
        "lines": [
            {
                "item": line.item,
                "payer": str(line.payer),
                "account": str(line.account),
                "base": str(line.base),
                "rate": rate_text(line.rate),
                "amount": str(line.amount),
            }
            for line in quote.lines
        ],
        "totals": {
            "by_payer": {str(k): str(v) for k, v in quote.totals_by_payer().items()},
            "by_account": {str(k): str(v) for k, v in quote.totals_by_account().items()},
            "all": str(quote.total()),
        },
    }
