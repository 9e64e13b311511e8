"""Loads the business types (labels, codes, time limits, roles, materials) from resources/policy/business_types.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from registry_desk.domain.calendar import STATUTORY_CEILING_RULE, STATUTORY_CEILING_WORKING_DAYS
from registry_desk.domain.cases import BUSINESS_KEYS, BusinessType, MaterialSpec, RoleSpec
from registry_desk.domain.codes import PartyRole, RegistrationType, RightType
from registry_desk.domain.errors import NotFound, ValidationError
from registry_desk.resources_path import resource

POLICY_RULE = "业务类型配置 resources/policy/business_types.json"


@dataclass(frozen=True)
class BusinessTypePolicy:
    version: str
    note: str
    types: tuple[BusinessType, ...]

    def get(self, key: str) -> BusinessType:
        for business in self.types:
            if business.key == key:
                return business
        known = "、".join(f"{b.key}（{b.label}）" for b in self.types)
        raise NotFound(f"没有业务类型“{key}”，可选：{known}", rule=POLICY_RULE, record=key)

    def label(self, key: str) -> str:
        try:
            return self.get(key).label
        except NotFound:
            return key


def _bad(message: str, record: str) -> ValidationError:
    return ValidationError(f"业务类型配置有误：{message}", rule=POLICY_RULE, record=record)


def _material(data: Mapping[str, Any], key: str) -> MaterialSpec:
    return MaterialSpec(
        code=str(data["code"]),
        name=str(data["name"]),
        required=bool(data.get("required", True)),
        ecert_ok=bool(data.get("ecert", False)),
        sealed_ok=bool(data.get("sealed", False)),
        only_with_agent=bool(data.get("only_with_agent", False)),
        notice_kinds=frozenset(int(k) for k in data.get("notice_kinds", ())),
    )


def _business(data: Mapping[str, Any], ceiling: int) -> BusinessType:
    key = str(data["key"])
    limit = data["time_limit_days"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise _bad(f"{key} 的办结时限应为不小于0的整数个工作日，实为 {limit!r}", key)
    if limit > min(ceiling, STATUTORY_CEILING_WORKING_DAYS):
        raise ValidationError(
            f"业务类型配置有误：{data.get('label', key)}的办结时限{limit}个工作日超过上限"
            f"{min(ceiling, STATUTORY_CEILING_WORKING_DAYS)}个工作日",
            rule=STATUTORY_CEILING_RULE,
            record=key,
        )
    materials = tuple(_material(m, key) for m in data["materials"])
    codes = [m.code for m in materials]
    if len(codes) != len(set(codes)):
        raise _bad(f"{key} 的材料代码重复", key)
    roles = tuple(
        RoleSpec(
            role=PartyRole(r["role"]),
            label=str(r["label"]),
            min_count=int(r.get("min", 0)),
            max_count=None if r.get("max") is None else int(r["max"]),
            legal_person=bool(r.get("legal_person", False)),
        )
        for r in data["roles"]
    )
    return BusinessType(
        key=key,
        label=str(data["label"]),
        registration_type=RegistrationType(int(data["registration_type"])),
        right_type=RightType(int(data["right_type"])),
        time_limit_days=limit,
        charged=bool(data["charged"]),
        roles=roles,
        materials=materials,
        note=str(data.get("note", "")),
    )


def parse_policy(data: Mapping[str, Any]) -> BusinessTypePolicy:
    """Checks and builds the policy; a time limit above 30 working days or an unknown key is refused."""
    ceiling = int(data.get("time_limit_ceiling_days", STATUTORY_CEILING_WORKING_DAYS))
    types = tuple(_business(t, ceiling) for t in data["types"])
    keys = [t.key for t in types]
    unknown = sorted(set(keys) - set(BUSINESS_KEYS))
    if unknown or len(keys) != len(set(keys)):
        raise _bad(
            f"业务类型键应为 {', '.join(BUSINESS_KEYS)} 且不重复，实为 {', '.join(keys)}", ",".join(keys)
        )
    return BusinessTypePolicy(str(data.get("version", "")), str(data.get("time_limit_note", "")), types)


def load_policy(path: Path | None = None) -> BusinessTypePolicy:
    if path is not None:
        return parse_policy(json.loads(path.read_text(encoding="utf-8")))
    return _shipped()


@cache
def _shipped() -> BusinessTypePolicy:
    with resource("policy", "business_types.json").open(encoding="utf-8") as fh:
        return parse_policy(json.load(fh))
