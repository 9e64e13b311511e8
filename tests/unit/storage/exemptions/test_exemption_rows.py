"""storage/exemptions: the look-ups the exemptions make, on SQLite and PostgreSQL, each against rows made for
it (the integration tests run them through the features on the demo register)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from registry_desk.domain.codes import CaseStatus, CertificateKind, CertificateStatus, PartyKind, PartyRole
from registry_desk.domain.codes import IdType, RightStatus, RightType
from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import contracts, ecert, materials
from registry_desk.storage.tables import Case, CaseMaterial, Certificate, Party, Right, RightParty, Unit

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ENDED = (CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.NOT_ACCEPTED)


def _unit(s, n: int) -> Unit:
    unit = Unit(
        unit_number=f"640502002005GB00044F{n:08d}",
        parcel_code="640502002005GB00044",
        county_code="640502",
        location=f"中卫市测试路{n}号",
        planned_use="住宅",
        building_area=Decimal("88.50"),
    )
    s.add(unit)
    s.flush()
    return unit


def _case(s, unit: Unit, number: str, status: CaseStatus, business_type: str = "mortgage_first") -> Case:
    case = Case(
        case_number=number,
        business_type=business_type,
        registration_type=1,
        right_type=1,
        unit_id=unit.id,
        status=status,
        accepted_at=AT,
        time_limit_days=5,
        due_date=date(2026, 3, 9),
        form={},
    )
    s.add(case)
    s.flush()
    return case


def _party(s, name: str, number: str) -> Party:
    party = Party(
        kind=PartyKind.NATURAL, name=name, id_type=IdType.RESIDENT_ID, id_number=number, created_at=AT
    )
    s.add(party)
    s.flush()
    return party


def _right(s, unit: Unit, right_type: RightType, *, notes: str | None = None) -> Right:
    right = Right(
        unit_id=unit.id, right_type=right_type, status=RightStatus.CURRENT, registered_at=AT, notes=notes
    )
    s.add(right)
    s.flush()
    return right


def _certificate(s, unit: Unit, right: Right, seq: int, **extra) -> Certificate:
    cert = Certificate(
        number=f"宁(2026)中卫市不动产权第{seq:07d}号",
        kind=CertificateKind.RIGHT_CERTIFICATE,
        year=2026,
        seq=seq,
        status=extra.pop("status", CertificateStatus.CURRENT),
        unit_id=unit.id,
        right_id=right.id,
        issued_at=AT,
        fields={},
        **extra,
    )
    s.add(cert)
    s.flush()
    return cert


def test_attachments_are_kept_and_read_back(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        case = _case(s, _unit(s, 1), "202603020001", CaseStatus.IN_REVIEW)
        kept = materials.keep_attachment(
            s,
            case_id=case.id,
            kind="sealed_material",
            filename="a.pdf",
            sha256="a" * 64,
            content=b"%PDF-a",
            created_at=AT,
        )
        assert kept.id is not None  # flushed: the material can point at it at once
        s.add_all(
            [
                CaseMaterial(case_id=case.id, code="second", name="第二", position=2),
                CaseMaterial(case_id=case.id, code="first", name="第一", position=1, attachment_id=kept.id),
            ]
        )
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert materials.case_by_number(s, "202603020001").id == case.id
        assert materials.case_by_number(s, "209901010001") is None
        assert materials.the_case(s, "202603020001").id == case.id
        assert materials.business_type_of_case(s, "202603020001") == "mortgage_first"
        assert materials.business_type_of_case(s, "209901010001") is None
        assert [m.code for m in materials.materials_of_case(s, case.id)] == ["first", "second"]
        assert materials.material_of_case(s, case.id, "second").name == "第二"
        assert materials.material_of_case(s, case.id, "third") is None
        assert materials.attachment_kinds(s, [kept.id]) == {kept.id: "sealed_material"}
        assert materials.attachment_kinds(s, []) == {}
        assert materials.attachment_kind(s, kept.id) == "sealed_material"
        assert materials.attachment_kind(s, kept.id + 100) is None
        assert materials.attachment_content(s, kept.id) == b"%PDF-a"
        loaded = materials.case_for_application_form(s, "202603020001")
        assert loaded is not None and loaded.unit.unit_number.endswith("00000001")


def test_the_standing_case_holding_a_file(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        unit = _unit(s, 2)
        withdrawn = _case(s, unit, "202603020002", CaseStatus.WITHDRAWN)
        first = _case(s, unit, "202603020003", CaseStatus.IN_REVIEW)
        second = _case(s, unit, "202603020004", CaseStatus.IN_REVIEW)
        notice = _case(s, unit, "202603020005", CaseStatus.IN_REVIEW, business_type="advance_notice")
        for case in (withdrawn, first, second, notice):
            materials.keep_attachment(
                s,
                case_id=case.id,
                kind="sealed_material",
                filename="c.pdf",
                sha256="c" * 64,
                content=b"%PDF",
                created_at=AT,
            )
        materials.keep_attachment(
            s,
            case_id=second.id,
            kind="application_form",
            filename="f.pdf",
            sha256="f" * 64,
            content=b"%PDF",
            created_at=AT,
        )
        uow.commit()

    def holder(sha: str, kind: str = "sealed_material", **kw) -> str | None:
        with any_db.lookup() as connection:
            return materials.standing_case_holding_attachment(
                connection, sha, kind=kind, business_type="mortgage_first", ended=ENDED, **kw
            )

    assert holder("c" * 64) == "202603020003"  # the first standing one; the withdrawn case does not count
    assert holder("c" * 64, except_case_id=first.id) == "202603020004"
    assert holder("f" * 64) is None  # another kind of attachment
    assert holder("f" * 64, kind="application_form") == "202603020004"
    assert holder("0" * 64) is None


def test_the_application_forms_register_reads(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        unit = _unit(s, 3)
        case = _case(s, unit, "202603020006", CaseStatus.IN_REVIEW)
        owner = _party(s, "张三", "640502199001010011")
        agent = _party(s, "李四", "640502199001010038")
        ownership = _right(s, unit, RightType.OWNERSHIP)
        mortgage = _right(s, unit, RightType.MORTGAGE)
        _certificate(s, unit, ownership, 2)
        _certificate(s, unit, ownership, 1)
        _certificate(s, unit, mortgage, 3)
        _certificate(s, unit, ownership, 4, status=CertificateStatus.CANCELLED, cancelled_by_case_id=case.id)
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert materials.party_names(s, [owner.id, agent.id]) == {owner.id: "张三", agent.id: "李四"}
        assert materials.user_by_id(s, 999) is None
        assert materials.current_ownership_certificates_of_unit(s, unit.id) == [
            "宁(2026)中卫市不动产权第0000002号",
            "宁(2026)中卫市不动产权第0000001号",
        ]
        assert materials.ownership_certificates_cancelled_by_case(s, case.id) == [
            "宁(2026)中卫市不动产权第0000004号"
        ]


def test_the_certificates_to_publish_and_their_holders(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        plain, mortgaged = _unit(s, 4), _unit(s, 5)
        case = _case(s, mortgaged, "202603020007", CaseStatus.RECORDED)
        holder, other = _party(s, "王五", "640502199001010054"), _party(s, "赵六", "640502199001010070")
        own_plain = _right(s, plain, RightType.OWNERSHIP)
        own_mortgaged = _right(s, mortgaged, RightType.OWNERSHIP)
        _right(s, mortgaged, RightType.MORTGAGE)
        for position, party, role in (
            (1, other, PartyRole.RIGHT_HOLDER),
            (0, holder, PartyRole.RIGHT_HOLDER),
        ):
            s.add(RightParty(right_id=own_mortgaged.id, party_id=party.id, role=role, position=position))
        s.add(RightParty(right_id=own_mortgaged.id, party_id=other.id, role=PartyRole.OBLIGOR, position=2))
        on_plain = _certificate(s, plain, own_plain, 11)
        issued = _certificate(s, mortgaged, own_mortgaged, 12, case_id=case.id, ecert_id="E-12")
        _certificate(
            s, mortgaged, own_mortgaged, 13, status=CertificateStatus.CANCELLED, cancelled_by_case_id=case.id
        )
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert ecert.right_by_id(s, own_mortgaged.id).unit_id == mortgaged.id
        assert ecert.party_by_id(s, holder.id).name == "王五"
        links = ecert.right_party_links(s, own_mortgaged.id, PartyRole.RIGHT_HOLDER)
        assert [link.party.name for link in links] == ["王五", "赵六"]
        assert [c.seq for c in ecert.certificates_cancelled_by_case(s, case.id)] == [13]
        assert [c.seq for c in ecert.current_certificates_of_case(s, case.id)] == [12]
        assert [c.seq for c in ecert.current_certificates_on_unit(s, mortgaged.unit_number)] == [12]
        assert ecert.current_certificate_numbers_on_unit(s, mortgaged.unit_number) == [
            (issued.number, "E-12", "202603020007")
        ]
        assert ecert.current_certificate_numbers_on_unit(s, plain.unit_number) == [
            (on_plain.number, None, None)
        ]
        mortgaged_units = ecert.current_certificates_on_units_with(s, (RightType.MORTGAGE,))
        assert [c.seq for c in mortgaged_units] == [12]
        assert [
            c.seq for c in ecert.current_certificates_on_units_with(s, (RightType.OWNERSHIP,), limit=1)
        ] == [11]
    with any_db.unit_of_work() as uow:
        locked = ecert.lock_case_with_parties(uow.session, "202603020007")
        assert locked is not None and locked.unit.id == mortgaged.id
        assert ecert.lock_case_with_parties(uow.session, "209901010001") is None


def test_cases_awaiting_an_event(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        unit = _unit(s, 6)
        done, failed, again, open_case = (
            _case(s, unit, f"20260302001{i}", status)
            for i, status in enumerate(
                (CaseStatus.RECORDED, CaseStatus.RECORDED, CaseStatus.ISSUED, CaseStatus.IN_REVIEW)
            )
        )
        for case, actions in (
            (failed, ["case.recorded"]),
            (done, ["case.recorded", "ecert.published"]),
            (again, ["case.recorded", "ecert.published", "case.recorded"]),
            (open_case, ["case.recorded"]),
        ):
            for action in actions:
                audit.append(s, SYSTEM, action, case_id=case.id, record=case.case_number)
        uow.commit()
    recorded = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)
    with any_db.unit_of_work(write=False) as uow:

        def waiting(**kw) -> list[str]:
            return ecert.cases_awaiting_event(
                uow.session,
                after_action="case.recorded",
                awaited_action="ecert.published",
                statuses=recorded,
                **kw,
            )

        assert waiting() == [failed.case_number, again.case_number]  # by their last recording
        assert waiting(limit=1) == [failed.case_number]


def test_the_prefill_benchmarks_reads(any_db: Database):
    with any_db.unit_of_work() as uow:
        s = uow.session
        units = [_unit(s, n) for n in range(7, 13)]
        _right(s, units[1], RightType.ADVANCE_NOTICE, notes="bench")
        _right(s, units[0], RightType.ADVANCE_NOTICE, notes="bench")
        _right(s, units[2], RightType.OWNERSHIP)
        _case(s, units[2], "202603020020", CaseStatus.IN_REVIEW)
        _case(s, units[2], "202603020021", CaseStatus.WITHDRAWN)
        bank = Party(
            kind=PartyKind.LEGAL,
            name="某银行",
            id_type=IdType.USCC,
            id_number="91640500MA7HH00105",
            created_at=AT,
        )
        s.add(bank)
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert contracts.units_with_current_right_noted(s, "bench") == [
            units[0].unit_number,
            units[1].unit_number,
        ]
        assert contracts.highest_unit_id(s) == max(u.id for u in units)
        assert contracts.party_by_identity(s, IdType.USCC, "91640500MA7HH00105").name == "某银行"
        assert contracts.party_by_identity(s, IdType.RESIDENT_ID, "91640500MA7HH00105") is None
        sample = contracts.every_nth_unit(s, 2, 2)
        assert len(sample) == 2 and all(u.id % 2 == 0 for u in sample) and sample[0].id < sample[1].id
        assert [r.right_type for r in contracts.current_rights_of_unit(s, units[2].id)] == [
            RightType.OWNERSHIP
        ]
        assert contracts.count_cases_of_unit(s, units[2].id, [CaseStatus.IN_REVIEW]) == 1
        assert contracts.count_cases_of_unit(s, units[3].id, [CaseStatus.IN_REVIEW]) == 0
    run = contracts.raw_prefill_reads(any_db, [CaseStatus.IN_REVIEW])
    rows, certs, open_cases = run(units[2].unit_number)
    assert rows[0][1] == units[2].unit_number and list(certs) == []
    assert [tuple(c)[0] for c in open_cases] == ["202603020020"]


@pytest.mark.parametrize("missing", ["209901010001"])
def test_the_case_that_must_exist(any_db: Database, missing: str):
    with any_db.unit_of_work(write=False) as uow, pytest.raises(Exception, match="No row was found"):
        materials.the_case(uow.session, missing)
