"""The Zhongwei demo register loads into fresh SQLite and PostgreSQL databases and is internally sound."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from registry_desk.domain.certificates import format_certificate_number, parse_certificate_number
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import ConflictError
from registry_desk.domain.identifiers import (
    COUNTY_LABELS,
    is_valid_resident_id,
    is_valid_uscc,
    parse_unit_number,
)
from registry_desk.domain.money import Money
from registry_desk.resources_path import seed
from registry_desk.demo import demo_data
from registry_desk.kernel.audit import verify_chain
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, Certificate, Party, Right, RightParty, Sequence, Unit

OWNERSHIP_FIELDS = {"权利人", "共有情况", "坐落", "不动产单元号", "权利类型", "权利性质", "用途", "面积", "使用期限",
                    "权利其他状况", "附记"}  # fmt: skip
PROOF_FIELDS = {"证明权利或事项", "权利人(申请人)", "义务人", "坐落", "不动产单元号", "其他", "附记"}
ORGANISATION_USCCS = {
    "91640500MA7HH00105", "91640502MA7NP0020E", "91640500MA7XB0030P",  # banks
    "91640500MA7ML0040R", "91640521MA7XG0050X",  # developers
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_db(module_db: Database) -> Database:
    """The demo register, loaded once per backend; the tests using it only read."""
    demo_data.load_demo(module_db)
    return module_db


def _current(session, right_type: RightType) -> list[Right]:
    return list(
        session.execute(
            select(Right).where(Right.right_type == right_type, Right.status == RightStatus.CURRENT)
        ).scalars()
    )


def test_a_fresh_database_is_empty_and_the_demo_fills_it(any_db: Database) -> None:
    assert demo_data.is_empty(any_db)
    summary = demo_data.load_demo(any_db)
    assert not demo_data.is_empty(any_db)
    assert summary.units >= 300
    assert (summary.mortgaged_units, summary.presale_units, summary.seized_units) == (40, 30, 10)
    assert "演示登记簿" in summary.describe()


def test_the_register_has_the_promised_contents(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        units = s.execute(select(Unit)).scalars().all()
        assert len(units) >= 300
        assert {u.county_code for u in units} == {"640502", "640521", "640522"}
        assert {u.planned_use for u in units if not u.is_residential} == {"车库", "商业服务"}
        assert len({m.unit_id for m in _current(s, RightType.MORTGAGE)}) == 40
        assert len({r.unit_id for r in _current(s, RightType.SEIZURE)}) == 10
        kinds_by_unit: dict[int, set[AdvanceNoticeKind]] = defaultdict(set)
        for notice in _current(s, RightType.ADVANCE_NOTICE):
            kinds_by_unit[notice.unit_id].add(notice.notice_kind)
        both = {AdvanceNoticeKind.PRESALE_PURCHASE, AdvanceNoticeKind.PRESALE_MORTGAGE}
        assert sum(1 for kinds in kinds_by_unit.values() if kinds == both) == 30
        ranks = {m.rank for m in _current(s, RightType.MORTGAGE)}
        assert ranks == {1, 2}
        assert any(m.no_transfer for m in _current(s, RightType.MORTGAGE))
        ownership_history = (
            s.execute(
                select(Right).where(
                    Right.right_type == RightType.OWNERSHIP, Right.status == RightStatus.HISTORICAL
                )
            )
            .scalars()
            .all()
        )
        assert ownership_history and all(r.end_reason == "转移登记" and r.ended_at for r in ownership_history)


def test_every_id_number_passes_its_check(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        parties = uow.session.execute(select(Party)).scalars().all()
        uow.session.expunge_all()
    people = [p for p in parties if p.id_type is IdType.RESIDENT_ID]
    legal = [p for p in parties if p.id_type is IdType.USCC]
    assert len(people) > 300 and len(legal) >= 5
    assert [
        p.id_number for p in people if not is_valid_resident_id(p.id_number, today=date(2026, 3, 2))
    ] == []
    assert [p.id_number for p in legal if not is_valid_uscc(p.id_number)] == []
    assert {p.id_number[:6] for p in people} == {"640502", "640521", "640522"}
    assert ORGANISATION_USCCS <= {p.id_number for p in legal}
    assert all(p.legal_rep_name for p in legal)
    # Names with characters outside GB2312 are there, so printing is exercised on them.
    assert {"镕", "堃", "喆", "昇", "玥", "珺"} <= set("".join(p.name for p in people))


def test_every_unit_number_parses_and_matches_the_unit(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        units = uow.session.execute(select(Unit)).scalars().all()
        uow.session.expunge_all()
    for unit in units:
        assert len(unit.unit_number) == 28
        parsed = parse_unit_number(unit.unit_number)
        assert parsed.county_code == unit.county_code and parsed.parcel_code == unit.parcel_code
        assert unit.location.startswith(f"中卫市{COUNTY_LABELS[unit.county_code]}")
        assert int(parsed.building_no or "0") == int(unit.building_no or "-1")
        # 专有 + 分摊 = 建筑 to the hundredth: the certificate prints all three.
        assert unit.exclusive_area + unit.shared_area == unit.building_area
        assert unit.land_area_shared and unit.land_area_shared > 0
        assert unit.land_right_nature == "出让" and unit.completion_date is not None
        years = 70 if unit.land_use == "城镇住宅用地" else 40
        start = unit.land_term_start
        assert unit.land_term_end == start.replace(year=start.year + years) - timedelta(days=1)


def test_co_ownership_shares_sum_to_exactly_one(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        kinds = {
            co: s.execute(
                select(func.count()).where(Right.co_ownership == co, Right.right_type == RightType.OWNERSHIP)
            ).scalar_one()
            for co in CoOwnership
        }
        assert all(count > 0 for count in kinds.values())
        shares: dict[int, list[Fraction]] = defaultdict(list)
        rows = s.execute(
            select(RightParty.right_id, RightParty.share)
            .join(Right, Right.id == RightParty.right_id)
            .where(Right.co_ownership == CoOwnership.BY_SHARES, RightParty.role == PartyRole.RIGHT_HOLDER)
        )
        for right_id, share in rows:
            shares[right_id].append(share)
    assert shares
    assert {right_id: sum(parts) for right_id, parts in shares.items() if sum(parts) != 1} == {}
    assert any(len(parts) == 3 for parts in shares.values())


def test_each_current_right_has_exactly_one_current_certificate_except_seizures(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        current = s.execute(select(Right).where(Right.status == RightStatus.CURRENT)).scalars().all()
        certificates = s.execute(select(Certificate)).scalars().all()
        s.expunge_all()
    by_right: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in certificates:
        by_right[certificate.right_id].append(certificate)
    for right in current:
        live = [c for c in by_right[right.id] if c.status is CertificateStatus.CURRENT]
        if right.right_type is RightType.SEIZURE:
            assert by_right[right.id] == [], "查封不发证书或证明"
            continue
        assert len(live) == 1, right.id
        assert live[0].kind is right.right_type.certificate_kind
        expected = OWNERSHIP_FIELDS if right.right_type is RightType.OWNERSHIP else PROOF_FIELDS
        assert set(live[0].fields) == expected


def test_certificate_numbers_are_unique_and_sequences_continue_after_them(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        certificates = s.execute(select(Certificate)).scalars().all()
        sequences = {row.name: row.value for row in s.execute(select(Sequence)).scalars()}
        s.expunge_all()
    numbers = [c.number for c in certificates]
    assert len(numbers) == len(set(numbers))
    highest: dict[str, int] = {}
    for c in certificates:
        assert c.number == format_certificate_number(c.kind, c.year, c.seq)
        assert parse_certificate_number(c.number).year == c.year == c.issued_at.year
        assert 2015 <= c.year <= 2025
        name = demo_data.certificate_sequence_name(c.kind, c.year)
        highest[name] = max(highest.get(name, 0), c.seq)
    assert sequences == highest
    assert any(name.startswith(f"cert:{CertificateKind.REGISTRATION_PROOF.value}:") for name in sequences)


def test_cancelled_certificates_belong_to_ended_rights(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        pairs = s.execute(select(Certificate, Right).join(Right, Right.id == Certificate.right_id)).all()
        s.expunge_all()
    cancelled = [(c, r) for c, r in pairs if c.status is CertificateStatus.CANCELLED]
    assert cancelled
    for certificate, right in cancelled:
        assert right.status is RightStatus.HISTORICAL
        assert certificate.cancelled_at == right.ended_at and certificate.cancelled_at > certificate.issued_at


def test_mortgages_name_bank_owner_and_debtor_and_print_the_amount(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        banks = {p.id: p.name for p in s.execute(select(Party).where(Party.name.like("%银行%"))).scalars()}
        mortgages = _current(s, RightType.MORTGAGE)
        third_party_debtors = 0
        for mortgage in mortgages:
            roles: dict[PartyRole, set[int]] = defaultdict(set)
            for link in mortgage.parties:
                roles[link.role].add(link.party_id)
            (bank_id,) = roles[PartyRole.RIGHT_HOLDER]
            assert bank_id in banks
            owner = next(
                r
                for r in mortgage.unit.rights
                if r.right_type is RightType.OWNERSHIP and r.status is RightStatus.CURRENT
            )
            assert roles[PartyRole.OBLIGOR] == {link.party_id for link in owner.parties}
            assert roles[PartyRole.DEBTOR]
            third_party_debtors += roles[PartyRole.DEBTOR] != roles[PartyRole.OBLIGOR]
            assert mortgage.secured_amount > Money.zero() and mortgage.debt_end > mortgage.debt_start
            proof = next(c for c in mortgage.certificates if c.status is CertificateStatus.CURRENT)
            assert proof.holder_party_id == bank_id and proof.fields["权利人(申请人)"] == banks[bank_id]
            amount_wan = f"{mortgage.secured_amount.amount / 10000:.2f}万元"
            assert amount_wan in proof.fields["其他"]
        assert third_party_debtors >= 3


def test_presale_flats_are_ready_for_a_first_mortgage(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        s = uow.session
        developers = {
            p.id
            for p in s.execute(
                select(Party).where(Party.id_number.in_(["91640500MA7ML0040R", "91640521MA7XG0050X"]))
            ).scalars()
        }
        for notice in _current(s, RightType.ADVANCE_NOTICE):
            if notice.notice_kind is not AdvanceNoticeKind.PRESALE_MORTGAGE:
                continue
            owner = next(
                r
                for r in notice.unit.rights
                if r.right_type is RightType.OWNERSHIP and r.status is RightStatus.CURRENT
            )
            assert {link.party_id for link in owner.parties} <= developers
            purchase = next(
                r for r in notice.unit.rights if r.notice_kind is AdvanceNoticeKind.PRESALE_PURCHASE
            )
            buyers = {link.party_id for link in purchase.parties if link.role is PartyRole.RIGHT_HOLDER}
            obligor = {link.party_id for link in purchase.parties if link.role is PartyRole.OBLIGOR}
            assert obligor <= developers
            assert {link.party_id for link in notice.parties if link.role is PartyRole.OBLIGOR} == buyers
            assert {link.party_id for link in notice.parties if link.role is PartyRole.DEBTOR} == buyers
            assert notice.mortgage_mode is not None and notice.secured_amount and notice.guarantee_scope
            assert notice.debt_start and notice.debt_end and notice.rank == 1
            assert notice.secured_amount < purchase.price


def test_seizures_name_court_document_and_term(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        seizures = _current(uow.session, RightType.SEIZURE)
        uow.session.expunge_all()
    for seizure in seizures:
        assert seizure.court.endswith("人民法院")
        assert seizure.court_document_no.startswith(f"({seizure.seizure_start.year})宁05")
        assert "执" in seizure.court_document_no
        assert seizure.seizure_end.year == seizure.seizure_start.year + 3


def test_the_load_is_one_audit_event_and_the_chain_verifies(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        events = uow.session.execute(select(AuditEvent)).scalars().all()
        uow.session.expunge_all()
    assert [(e.action, e.actor) for e in events] == [(demo_data.AUDIT_ACTION, "system")]
    assert events[0].after["units"] >= 300
    assert verify_chain(demo_db).ok


def test_a_second_load_is_refused_and_changes_nothing(demo_db: Database) -> None:
    with demo_db.unit_of_work(write=False) as uow:
        before = uow.session.execute(select(func.count()).select_from(Unit)).scalar_one()
    with pytest.raises(ConflictError, match="已有.*不动产单元"):
        demo_data.load_demo(demo_db)
    with demo_db.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(func.count()).select_from(Unit)).scalar_one() == before
        assert uow.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 1


def test_rows_added_after_the_demo_get_fresh_ids(any_db: Database) -> None:
    # The demo inserts explicit ids; PostgreSQL's serials must have moved past them.
    demo_data.load_demo(any_db)
    with any_db.unit_of_work() as uow:
        party = Party(kind="natural", name="测试人", id_type=IdType.RESIDENT_ID, id_number="11010519491231002X",
                      created_at=datetime(2026, 3, 2, tzinfo=UTC))  # fmt: skip
        uow.session.add(party)
        uow.session.flush()
        assert party.id > 400
        uow.commit()


def test_banks_entered_before_the_demo_are_reused(sqlite_db: Database) -> None:
    with sqlite_db.unit_of_work() as uow:
        uow.session.add(Party(kind="legal", name="黄河示范银行股份有限公司中卫分行", id_type=IdType.USCC,
                              id_number="91640500MA7HH00105", created_at=datetime(2026, 1, 5, tzinfo=UTC)))  # fmt: skip
        uow.commit()
    demo_data.load_demo(sqlite_db)
    with sqlite_db.unit_of_work(write=False) as uow:
        count = uow.session.execute(
            select(func.count()).where(Party.id_number == "91640500MA7HH00105")
        ).scalar_one()
    assert count == 1


def test_the_seed_file_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_demo_register", seed("make_demo_register.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert seed("demo_register.json").read_text(encoding="utf-8") == module.render(module.build()), (
        "seeds/demo_register.json is stale: run python seeds/make_demo_register.py"
    )
