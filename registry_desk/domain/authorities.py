"""Who registers where, who collects the taxes and who supervises the fee notes (REFERENCE §4a).

条例 §7: the county-level registry registers the property in its area; a 设区的市 may unify its districts only.
So 沙坡头区 belongs to 中卫市's agency and 中宁县, 海原县 to their own. The data is resources/policy/authorities.json
(read by kernel.authorities); this module holds the plain records and the look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry_desk.domain.errors import NotFound, RuleViolation

_RECORD = "resources/policy/authorities.json"


@dataclass(frozen=True)
class TaxBureau:
    """A tax authority that issues the 电子完税凭证 and seals it in its own name."""

    key: str
    name: str
    uscc: str
    unverified: bool = False
    note: str = ""


@dataclass(frozen=True)
class FiscalBureau:
    """The fiscal department whose 财政票据监制章 is printed on every 登记费票据."""

    key: str
    name: str
    seal_text: str
    uscc: str
    unverified: bool = False
    note: str = ""


@dataclass(frozen=True)
class RegistrationAgency:
    """A 不动产登记机构: it numbers, seals and prints in its own name (`宁(2026)中宁县不动产权第…号`)."""

    key: str
    name: str  # printed as 登记机构 and carried by its seal
    number_place: str  # the place word of its certificate numbers: 中卫市, 中宁县, 海原县
    seal_key: str  # the seal identity of the demo PKI
    counties: tuple[str, ...]  # GB/T 2260 codes whose property it registers
    uscc: str
    tax_bureau: str
    source: str


@dataclass(frozen=True)
class Authorities:
    agencies: tuple[RegistrationAgency, ...]
    tax_bureaus: tuple[TaxBureau, ...]
    fiscal_bureau: FiscalBureau
    version: str = ""

    @classmethod
    def from_policy(cls, data: Mapping[str, Any]) -> Authorities:
        agencies = tuple(
            RegistrationAgency(
                key=a["key"],
                name=a["name"],
                number_place=a["number_place"],
                seal_key=a["seal_key"],
                counties=tuple(a["counties"]),
                uscc=a["uscc"],
                tax_bureau=a["tax_bureau"],
                source=a["source"],
            )
            for a in data["registration_agencies"]
        )
        bureaus = tuple(
            TaxBureau(
                key=t["key"],
                name=t["name"],
                uscc=t["uscc"],
                unverified=bool(t.get("unverified", False)),
                note=t.get("note", ""),
            )
            for t in data["tax_bureaus"]
        )
        f = data["fiscal_bureau"]
        fiscal = FiscalBureau(
            key=f["key"],
            name=f["name"],
            seal_text=f["seal_text"],
            uscc=f["uscc"],
            unverified=bool(f.get("unverified", False)),
            note=f.get("note", ""),
        )
        found = cls(agencies, bureaus, fiscal, str(data.get("version", "")))
        found._check()
        return found

    def _check(self) -> None:
        seen: dict[str, str] = {}
        for agency in self.agencies:
            for county in agency.counties:
                if county in seen:
                    raise RuleViolation(
                        f"区县代码 {county} 同时属于{seen[county]}和{agency.name}",
                        rule="条例第七条 一处不动产只由一个登记机构登记",
                        record=_RECORD,
                    )
                seen[county] = agency.name
            self.tax_bureau(agency.tax_bureau)

    def agency(self, key: str) -> RegistrationAgency:
        for agency in self.agencies:
            if agency.key == key:
                return agency
        known = "、".join(f"{a.key}（{a.name}）" for a in self.agencies)
        raise NotFound(f"没有登记机构“{key}”，已有：{known}", rule="登记机构", record=key)

    def agency_for_county(self, county_code: str) -> RegistrationAgency:
        """The agency competent for a unit, from the first six characters of its 不动产单元号."""
        code = (county_code or "")[:6]
        for agency in self.agencies:
            if code in agency.counties:
                return agency
        raise NotFound(
            f"区县代码 {code or '（空）'} 不在本市任何登记机构的辖区内",
            rule="条例第七条 不动产由所在地的登记机构登记",
            record=code,
        )

    def tax_bureau(self, key: str) -> TaxBureau:
        for bureau in self.tax_bureaus:
            if bureau.key == key:
                return bureau
        raise NotFound(f"没有税务机关“{key}”", rule="征收单位", record=_RECORD)

    def tax_bureau_for(self, agency: RegistrationAgency) -> TaxBureau:
        return self.tax_bureau(agency.tax_bureau)
