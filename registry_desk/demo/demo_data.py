"""Loads the fictitious Zhongwei demo register (seeds/demo_register.json) into an empty database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import ConflictError, ValidationError
from registry_desk.domain.money import Money
from registry_desk.demo.register_guard import require_demo_register
from registry_desk.resources_path import seed
from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.database import Database
from registry_desk.storage.demo import seeding
from registry_desk.storage.session import Session

DATA_SET = "demo_register.json"
AUDIT_ACTION = "demo_data.load"
_FORMAT = 1


@dataclass(frozen=True)
class DemoSummary:
    """What a load put into the register, for the start-up message and the audit trail."""

    parties: int
    units: int
    rights: int
    certificates: int
    mortgaged_units: int  # units with a current 抵押权
    presale_units: int  # units with both a current 预售商品房买卖预告登记 and 抵押权预告登记
    seized_units: int  # units with a current 查封
    historical_rights: int

    def describe(self) -> str:
        return (
            f"已载入演示登记簿：不动产单元{self.units}个、权利人{self.parties}个、权利{self.rights}项"
            f"（其中历史{self.historical_rights}项）、证书证明{self.certificates}本；"
            f"抵押{self.mortgaged_units}个单元，预告登记{self.presale_units}个单元，查封{self.seized_units}个单元"
        )


def certificate_sequence_name(kind: CertificateKind, year: int) -> str:
    """The `sequences` row that holds the last seq used for a kind of certificate in a year."""
    return f"cert:{kind.value}:{year}"


def read_data_set(path: Path | None = None) -> dict[str, Any]:
    """The demo register as stored (plain JSON); `path` defaults to seeds/demo_register.json."""
    source = path or seed(DATA_SET)
    try:
        data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(
            f"找不到演示数据文件 {source}，请重新安装程序或运行 seeds/make_demo_register.py 生成",
            rule="演示数据文件",
            record=str(source),
        ) from None
    if data.get("format") != _FORMAT:
        raise ValidationError(
            f"演示数据文件 {source} 的格式版本 {data.get('format')} 与本程序（{_FORMAT}）不符",
            rule="演示数据文件格式",
            record=str(source),
        )
    return data


def is_empty(db: Database) -> bool:
    """True when the register holds no unit yet (a fresh database the demo data may go into)."""
    with db.unit_of_work(write=False) as uow:
        return seeding.unit_count(uow.session) == 0


def load_demo(db: Database, *, path: Path | None = None) -> DemoSummary:
    """Loads the demo register in one transaction and writes one audit event for it.

    Refuses a database that already holds units, and a production register (demo/register_guard.py): the
    demo must never mix with a real register.
    Parties already present (say the banks, entered by hand) are reused, matched by ID type and number.
    """
    require_demo_register(db, "载入演示登记簿")
    source = path or seed(DATA_SET)
    data = read_data_set(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with db.unit_of_work() as uow:
        session = uow.session
        if not db.is_sqlite:
            # Two windows pressing "load demo" at once: the second waits here, then sees the units.
            seeding.lock_units_for_loading(session)
        units_present = seeding.unit_count(session)
        if units_present:
            raise ConflictError(
                f"数据库中已有{units_present}个不动产单元，演示数据只能载入空数据库，以免与真实登记簿混在一起",
                rule="演示数据只载入空库",
                record=DATA_SET,
            )
        summary = _insert(session, data, is_sqlite=db.is_sqlite)
        audit.append(
            session,
            SYSTEM,
            AUDIT_ACTION,
            record=DATA_SET,
            after={**asdict(summary), "sha256": digest, "seed": data.get("seed"), "as_of": data.get("as_of")},
        )
        uow.commit()
    return summary


load = load_demo


# ---------------------------------------------------------------------------------------------------------


def _moment(value: str | None) -> datetime | None:
    # Stored as UTC so SQLite (which keeps no offset) and PostgreSQL read back the same instant.
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _area(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _money(value: str | None) -> Money | None:
    return None if value is None else Money.yuan(value)


def _insert(session: Session, data: dict[str, Any], *, is_sqlite: bool) -> DemoSummary:
    # Core inserts on the tables (storage/demo/seeding.py), one executemany per table.
    party_ids = _insert_parties(session, data["parties"])
    unit_ids = _insert_units(session, data["units"])
    right_ids = _insert_rights(session, data["rights"], unit_ids, party_ids)
    _insert_certificates(session, data["certificates"], unit_ids, right_ids, party_ids)
    if not is_sqlite:
        # Rows went in with explicit ids: move each serial past them so later inserts do not collide.
        seeding.move_serials_past_ids(session)
    return _summary(data)


def _insert_parties(session: Session, parties: list[dict[str, Any]]) -> dict[str, int]:
    known = seeding.party_ids_by_identity(session)
    next_id = seeding.next_id(session, "parties")
    ids: dict[str, int] = {}
    rows = []
    for party in parties:
        id_type = IdType(party["id_type"])
        existing = known.get((id_type, party["id_number"]))
        if existing is not None:
            ids[party["key"]] = existing
            continue
        ids[party["key"]] = next_id
        rows.append(
            {
                "id": next_id,
                "kind": PartyKind(party["kind"]),
                "name": party["name"],
                "id_type": id_type,
                "id_number": party["id_number"],
                "address": party.get("address"),
                "phone": party.get("phone"),
                "legal_rep_name": party.get("legal_rep_name"),
                "legal_rep_id_number": party.get("legal_rep_id_number"),
                "created_at": _moment(party["created_at"]),
            }
        )
        next_id += 1
    if rows:
        seeding.insert_rows(session, "parties", rows)
    return ids


_UNIT_AREAS = ("building_area", "exclusive_area", "shared_area", "land_area_exclusive", "land_area_shared")
_UNIT_DATES = ("land_term_start", "land_term_end", "completion_date")


def _insert_units(session: Session, units: list[dict[str, Any]]) -> dict[str, int]:
    next_id = seeding.next_id(session, "units")
    ids: dict[str, int] = {}
    rows = []
    for offset, unit in enumerate(units):
        row = {key: value for key, value in unit.items() if key != "key"}
        for name in _UNIT_AREAS:
            row[name] = _area(row.get(name))
        for name in _UNIT_DATES:
            row[name] = _day(row.get(name))
        row["id"] = ids[unit["key"]] = next_id + offset
        row["parcel_code"] = unit["unit_number"][:19]
        row["version"] = 1
        rows.append(row)
    seeding.insert_rows(session, "units", rows)
    return ids


def _insert_rights(
    session: Session, rights: list[dict[str, Any]], unit_ids: dict[str, int], party_ids: dict[str, int]
) -> dict[str, int]:
    next_id = seeding.next_id(session, "rights")
    next_link = seeding.next_id(session, "right_parties")
    ids: dict[str, int] = {}
    rows, links = [], []
    for offset, right in enumerate(rights):
        right_id = ids[right["key"]] = next_id + offset
        notice = right.get("notice_kind")
        rows.append(
            {
                "id": right_id,
                "unit_id": unit_ids[right["unit"]],
                "right_type": RightType(right["right_type"]),
                "status": RightStatus(right["status"]),
                "registered_at": _moment(right["registered_at"]),
                "ended_at": _moment(right.get("ended_at")),
                "end_reason": right.get("end_reason"),
                "co_ownership": CoOwnership(right["co_ownership"]) if right.get("co_ownership") else None,
                "price": _money(right.get("price")),
                "right_nature": right.get("right_nature"),
                "mortgage_mode": MortgageMode(right["mortgage_mode"]) if right.get("mortgage_mode") else None,
                "secured_amount": _money(right.get("secured_amount")),
                "debt_start": _day(right.get("debt_start")),
                "debt_end": _day(right.get("debt_end")),
                "guarantee_scope": right.get("guarantee_scope"),
                "rank": right.get("rank"),
                "no_transfer": right.get("no_transfer"),
                "mortgaged_area": _area(right.get("mortgaged_area")),
                "assessed_value": _money(right.get("assessed_value")),
                "notice_kind": AdvanceNoticeKind(notice) if notice is not None else None,
                "court": right.get("court"),
                "court_document_no": right.get("court_document_no"),
                "seizure_start": _day(right.get("seizure_start")),
                "seizure_end": _day(right.get("seizure_end")),
                "notes": right.get("notes"),
                "version": 1,
            }
        )
        for position, link in enumerate(right["parties"]):
            links.append(
                {
                    "id": next_link,
                    "right_id": right_id,
                    "party_id": party_ids[link["party"]],
                    "role": PartyRole(link["role"]),
                    "share": Fraction(link["share"]) if link.get("share") else None,
                    "position": position,
                }
            )
            next_link += 1
    seeding.insert_rows(session, "rights", rows)
    seeding.insert_rows(session, "right_parties", links)
    return ids


def _insert_certificates(
    session: Session,
    certificates: list[dict[str, Any]],
    unit_ids: dict[str, int],
    right_ids: dict[str, int],
    party_ids: dict[str, int],
) -> None:
    next_id = seeding.next_id(session, "certificates")
    rows = []
    last_seq: dict[str, int] = {}
    for offset, certificate in enumerate(certificates):
        kind = CertificateKind(certificate["kind"])
        year, seq = int(certificate["year"]), int(certificate["seq"])
        name = certificate_sequence_name(kind, year)
        last_seq[name] = max(last_seq.get(name, 0), seq)
        rows.append(
            {
                "id": next_id + offset,
                "number": certificate["number"],
                "kind": kind,
                "year": year,
                "seq": seq,
                "status": CertificateStatus(certificate["status"]),
                "unit_id": unit_ids[certificate["unit"]],
                "right_id": right_ids[certificate["right"]],
                "holder_party_id": party_ids[certificate["holder"]],
                "issued_at": _moment(certificate["issued_at"]),
                "cancelled_at": _moment(certificate.get("cancelled_at")),
                "paper_serial": certificate.get("paper_serial"),
                "ecert_id": certificate.get("ecert_id"),
                "fields": certificate["fields"],
                "qr_payload": certificate.get("qr_payload"),
            }
        )
    seeding.insert_rows(session, "certificates", rows)
    # Each certificate counter moves to at least the highest number loaded, so none is issued twice.
    seeding.raise_certificate_counters(session, last_seq)


def _summary(data: dict[str, Any]) -> DemoSummary:
    current = [r for r in data["rights"] if r["status"] == RightStatus.CURRENT.value]
    notices: dict[str, set[int]] = {}
    for right in current:
        if right["right_type"] == RightType.ADVANCE_NOTICE:
            notices.setdefault(right["unit"], set()).add(right["notice_kind"])
    both = {int(AdvanceNoticeKind.PRESALE_PURCHASE), int(AdvanceNoticeKind.PRESALE_MORTGAGE)}
    return DemoSummary(
        parties=len(data["parties"]),
        units=len(data["units"]),
        rights=len(data["rights"]),
        certificates=len(data["certificates"]),
        mortgaged_units=len({r["unit"] for r in current if r["right_type"] == RightType.MORTGAGE}),
        presale_units=sum(1 for kinds in notices.values() if both <= kinds),
        seized_units=len({r["unit"] for r in current if r["right_type"] == RightType.SEIZURE}),
        historical_rights=len(data["rights"]) - len(current),
    )
