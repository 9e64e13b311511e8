"""Reading the register (登记簿): search by unit number, certificate number, ID number or name, and the
register page of a unit (current rights, restrictions, history, certificates)."""

from __future__ import annotations

import re
from operator import attrgetter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from registry_desk.domain.quote_request import QuotedUnit
from registry_desk.domain.certificates import looks_like_certificate_number, parse_certificate_number
from registry_desk.domain.codes import CoOwnership, RightStatus, RightType, Role
from registry_desk.domain.errors import NotFound
from registry_desk.domain.rules import UnitSnapshot
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.prepared import DriverSource
from registry_desk.storage.register.register_page import (
    OwnedUnitRow,
    case_numbers_of,
    case_with_unit,
    cases_of_unit,
    certificate_with_unit,
    certificates_of_unit,
    party_ids_named,
    rights_of_unit,
    unit_by_number,
    units_like,
    units_of_id_number,
    units_of_parties,
)
from registry_desk.storage.register.unit_state import read_unit_state
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Right, RightParty, Unit

READERS = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)

_UNIT_NUMBER = re.compile(r"^\d{12}[GJZ][A-Z]\d{5}[FLQW]\d{8}$")
_ID_LIKE = re.compile(r"^(\d{17}[\dX]|\d{15}|[0-9A-HJ-NP-RTUW-Y]{18})$")
_CASE_NUMBER = re.compile(r"^\d{12}$")  # 业务号: the acceptance receipt's number


@dataclass(frozen=True)
class SearchHit:
    kind: str  # unit / certificate / case / party
    title: str
    subtitle: str
    unit_number: str | None


@dataclass(frozen=True)
class PartyLine:
    party_id: int
    name: str
    id_type: str
    id_number: str
    role: str
    share: str


@dataclass(frozen=True)
class RightView:
    id: int
    right_type: RightType
    label: str
    status: RightStatus
    registered_at: datetime
    ended_at: datetime | None
    holders: tuple[PartyLine, ...]
    others: tuple[PartyLine, ...]
    details: tuple[tuple[str, str], ...]
    certificates: tuple[str, ...]
    created_by_case: str | None
    ended_by_case: str | None
    end_reason: str | None

    @property
    def is_restriction(self) -> bool:
        return self.right_type is not RightType.OWNERSHIP


@dataclass(frozen=True)
class CertificateLine:
    number: str
    kind: str
    status: str
    issued_at: datetime
    holder: str
    paper_serial: str | None


@dataclass(frozen=True)
class UnitRegister:
    unit_id: int
    unit_number: str
    location: str
    facts: tuple[tuple[str, str], ...]
    current: tuple[RightView, ...]
    history: tuple[RightView, ...]
    certificates: tuple[CertificateLine, ...]
    open_cases: tuple[str, ...] = field(default=())
    quoted: QuotedUnit | None = None  # what the trial quote needs (domain/quote_request.py)

    @property
    def owners(self) -> tuple[RightView, ...]:
        return tuple(r for r in self.current if r.right_type is RightType.OWNERSHIP)

    @property
    def restrictions(self) -> tuple[RightView, ...]:
        return tuple(r for r in self.current if r.is_restriction)


def _area(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}㎡"


def _d(value: date | None) -> str:
    return "" if value is None else value.strftime("%Y年%m月%d日")


def unit_facts(unit: Unit) -> tuple[tuple[str, str], ...]:
    rows = [
        ("不动产单元号", unit.unit_number),
        ("坐落", unit.location),
        ("规划用途", unit.planned_use),
        ("房屋性质", unit.house_nature or ""),
        ("房屋结构", unit.structure or ""),
        ("所在层/总层数", f"{unit.floor or ''}/{unit.total_floors or ''}"),
        ("建筑面积", _area(unit.building_area)),
        ("专有建筑面积", _area(unit.exclusive_area)),
        ("分摊建筑面积", _area(unit.shared_area)),
        ("土地使用权面积", f"独用{_area(unit.land_area_exclusive)} 分摊{_area(unit.land_area_shared)}"),
        ("土地权利性质", unit.land_right_nature or ""),
        ("土地用途", unit.land_use or ""),
        (
            "土地使用期限",
            f"{_d(unit.land_term_start)}起{_d(unit.land_term_end)}止" if unit.land_term_end else "",
        ),
        ("竣工时间", _d(unit.completion_date)),
        ("幢号/房间号", f"{unit.building_no or ''}/{unit.room_no or ''}"),
    ]
    return tuple(rows)


def _party_line(rp: RightParty) -> PartyLine:
    p = rp.party
    return PartyLine(
        p.id, p.name, p.id_type.label, p.id_number, rp.role.label, "" if rp.share is None else str(rp.share)
    )


def right_details(r: Right) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    if r.right_type is RightType.OWNERSHIP:
        rows.append(("共有方式", (r.co_ownership or CoOwnership.SOLE).label))
        if r.right_nature:
            rows.append(("权利性质", r.right_nature))
        if r.price is not None:
            rows.append(("交易价格", r.price.display()))
    elif r.right_type is RightType.MORTGAGE or (r.notice_kind is not None and r.notice_kind.is_mortgage):
        if r.notice_kind is not None:
            rows.append(("预告登记种类", r.notice_kind.label))
        if r.mortgage_mode is not None:
            rows.append(("抵押方式", r.mortgage_mode.label))
        if r.secured_amount is not None:
            label = (
                "最高债权额" if r.mortgage_mode and r.mortgage_mode.value == "maximum" else "被担保主债权数额"
            )
            rows.append((label, r.secured_amount.display()))
        if r.debt_start or r.debt_end:
            rows.append(("债务履行期限", f"{_d(r.debt_start)}起{_d(r.debt_end)}止"))
        if r.rank is not None:
            rows.append(("抵押顺位", str(r.rank)))
        if r.guarantee_scope:
            rows.append(("担保范围", r.guarantee_scope))
        if r.no_transfer is not None:
            rows.append(("禁止转让", "是" if r.no_transfer else "否"))
    elif r.right_type is RightType.ADVANCE_NOTICE:
        if r.notice_kind is not None:
            rows.append(("预告登记种类", r.notice_kind.label))
        if r.price is not None:
            rows.append(("取得价格", r.price.display()))
    elif r.right_type is RightType.SEIZURE:
        rows.append(("查封机关", r.court or ""))
        rows.append(("查封文号", r.court_document_no or ""))
        rows.append(("查封期限", f"{_d(r.seizure_start)}起{_d(r.seizure_end)}止"))
    if r.notes:
        rows.append(("附记", r.notes))
    return tuple(rows)


def _right_view(r: Right, case_numbers: dict[int, str]) -> RightView:
    holders = tuple(_party_line(rp) for rp in r.parties if rp.role.value == "holder")
    others = tuple(_party_line(rp) for rp in r.parties if rp.role.value != "holder")
    label = r.notice_kind.label if r.notice_kind is not None else r.right_type.label
    return RightView(
        id=r.id,
        right_type=r.right_type,
        label=label,
        status=r.status,
        registered_at=r.registered_at,
        ended_at=r.ended_at,
        holders=holders,
        others=others,
        details=right_details(r),
        certificates=tuple(c.number for c in r.certificates),
        created_by_case=case_numbers.get(r.created_by_case_id or -1),
        ended_by_case=case_numbers.get(r.ended_by_case_id or -1),
        end_reason=r.end_reason,
    )


def load_unit_register(s: Session, unit: Unit) -> UnitRegister:
    rights = rights_of_unit(s, unit.id)
    case_ids = {i for r in rights for i in (r.created_by_case_id, r.ended_by_case_id) if i}
    open_cases = cases_of_unit(s, unit.id)
    numbers = case_numbers_of(s, case_ids)
    views = [_right_view(r, numbers) for r in rights]
    certs = certificates_of_unit(s, unit.id)
    return UnitRegister(
        unit_id=unit.id,
        unit_number=unit.unit_number,
        location=unit.location,
        facts=unit_facts(unit),
        current=tuple(v for v in views if v.status is RightStatus.CURRENT),
        history=tuple(v for v in views if v.status is RightStatus.HISTORICAL),
        certificates=tuple(
            CertificateLine(c.number, c.kind.label, c.status.label, c.issued_at, name or "", c.paper_serial)
            for c, name in certs
        ),
        open_cases=tuple(num for _id, num, status in open_cases if status.is_open),
        quoted=QuotedUnit.of(unit),
    )


def unit_register(db: Database, actor: Actor, unit_number: str) -> UnitRegister:
    actor.require(*READERS, operation="查询登记簿")
    number = unit_number.strip().upper()
    with db.unit_of_work(write=False) as uow:
        unit = unit_by_number(uow.session, number)
        if unit is None:
            raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
        return load_unit_register(uow.session, unit)


def _hits(rows: Iterable[OwnedUnitRow]) -> list[SearchHit]:
    hits: dict[str, SearchHit] = {}
    for number, location, right_type, name in rows:
        if number not in hits:
            hits[number] = SearchHit("unit", location, f"{number} · {name}（{right_type.label}）", number)
    return list(hits.values())


def _case_hit(session: Session, case_number: str) -> list[SearchHit]:
    from registry_desk.domain.cases import status_text
    from registry_desk.kernel.business_types import load_policy

    row = case_with_unit(session, case_number)
    if row is None:
        return []
    number, key, status, unit_number, location = row
    policy = load_policy()
    try:
        business = policy.get(key)
        label, issues = business.label, business.certificate_kind is not None
    except NotFound:
        label, issues = key, True
    return [SearchHit("case", number, f"{label}（{status_text(status, issues)}）· {location}", unit_number)]


def search(db: Database, actor: Actor, query: str, *, limit: int = 50) -> list[SearchHit]:
    """One box for everything: unit number, certificate number (also from a barcode scanner), case number
    (业务号, from the acceptance receipt: how a case older than the case list's window is found), ID number
    (resident ID or USCC), a name, or part of an address."""
    actor.require(*READERS, operation="查询登记簿")
    q = query.strip()
    if not q:
        return []
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        upper = q.upper()
        if _CASE_NUMBER.match(q):
            return _case_hit(s, q)
        if _UNIT_NUMBER.match(upper):
            unit = unit_by_number(s, upper)
            return [SearchHit("unit", unit.location, unit.unit_number, unit.unit_number)] if unit else []
        if looks_like_certificate_number(q):
            number = str(parse_certificate_number(q))
            row = certificate_with_unit(s, number)
            if row is None:
                return []
            cert, unit_number, location = row
            return [
                SearchHit(
                    "certificate",
                    cert.number,
                    f"{cert.kind.label}（{cert.status.label}）· {location}",
                    unit_number,
                )
            ]
        if _ID_LIKE.match(upper):
            return _hits(units_of_id_number(s, upper))[:limit]
        party_ids = party_ids_named(s, q, limit)
        hits = _hits(units_of_parties(s, party_ids)) if party_ids else []
        if len(hits) < limit and len(q) >= 2:
            units = units_like(s, q, upper, limit - len(hits))
            seen = {h.unit_number for h in hits}
            hits += [SearchHit("unit", loc, num, num) for num, loc in units if num not in seen]
        return hits[:limit]


@dataclass(frozen=True)
class CurrentRightLine:
    right_id: int
    right_type: RightType
    label: str
    party_name: str
    party_id_number: str
    role: str
    share: str


@dataclass(frozen=True)
class UnitCurrent:
    """A unit with its current rights and restrictions: what a clerk sees first after a scan."""

    unit_number: str
    location: str
    planned_use: str
    building_area: Decimal
    rights: tuple[CurrentRightLine, ...]

    @property
    def restrictions(self) -> tuple[CurrentRightLine, ...]:
        return tuple(r for r in self.rights if r.right_type is not RightType.OWNERSHIP)


_by_id = attrgetter("id")


def _current_lines(unit: UnitSnapshot) -> tuple[CurrentRightLine, ...]:
    """The unit's current rights, one line per party (a right without parties: one line, no party), by
    right id, each right's parties in their order on the register."""
    return tuple(
        CurrentRightLine(
            right.id,
            right.right_type,
            right.label,
            party.name if party else "",
            party.id_number if party else "",
            party.role.label if party else "",
            "" if party is None or party.share is None else str(party.share),
        )
        for right in (sorted(unit.rights, key=_by_id) if len(unit.rights) > 1 else unit.rights)
        for party in (right.parties or (None,))
    )


def unit_current(db: Database, actor: Actor, unit_number: str) -> UnitCurrent:
    """One indexed query: the unit, its current rights and their parties (the scan-to-screen path), read by
    the register's one reader of a unit's current state."""
    actor.require(*READERS, operation="查询登记簿")
    number = unit_number.strip().upper()
    with db.lookup_raw() as raw:
        unit = read_unit_state(DriverSource(raw, db.engine.dialect), unit_number=number, rights_only=True)
    if unit is None:
        raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
    assert unit.building_area is not None
    return UnitCurrent(
        unit.unit_number, unit.location, unit.planned_use, unit.building_area, _current_lines(unit)
    )


def party_units(db: Database, actor: Actor, id_number: str) -> list[SearchHit]:
    """The units on which the person or organisation with this ID number holds or bears a current right."""
    actor.require(*READERS, operation="查询登记簿")
    with db.lookup_raw() as raw:
        rows = units_of_id_number(DriverSource(raw, db.engine.dialect), id_number.strip().upper())
    return _hits(rows)
