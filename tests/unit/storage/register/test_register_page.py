"""The register page's reads (storage/register/register_page.py) and the prefill's party and audit reads
(storage/register/prefill.py), on SQLite and PostgreSQL, against the demo register."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from registry_desk.demo.demo_data import load_demo
from registry_desk.domain.cases import MORTGAGE_CANCEL
from registry_desk.domain.codes import RightStatus, RightType, Role
from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.registration import prefill, register
from registry_desk.storage.register import register_page as page
from registry_desk.storage.register.prefill import case_audit_events, party_by_id_number
from registry_desk.storage.tables import Case, Certificate, Party, Right, RightParty, Unit

from tests.integration.test_case_helpers import CLERK as WINDOW_CLERK
from tests.integration.test_case_helpers import MONDAY

CLERK = Actor(1, "clerk", "受理员", Role.CLERK)


@pytest.fixture
def demo(any_db):
    load_demo(any_db)
    return any_db


@pytest.fixture
def demo_case(demo) -> str:
    """The number of a case accepted on a mortgaged demo unit (the demo register has none of its own)."""
    with demo.unit_of_work(write=False) as uow:
        number = uow.session.scalar(
            select(Unit.unit_number)
            .join(Right, Right.unit_id == Unit.id)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        )
    filled = prefill.prefill(demo, WINDOW_CLERK, MORTGAGE_CANCEL, number)
    return prefill.accept_prefilled(demo, WINDOW_CLERK, filled, now=MONDAY).case_number


def test_a_units_rights_cases_and_certificates(demo, demo_case):
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        case_unit = s.scalar(select(Case.unit_id).where(Case.case_number == demo_case))
        cert = s.scalars(
            select(Certificate).where(Certificate.unit_id == case_unit).order_by(Certificate.id)
        ).first()
        unit = page.unit_by_number(s, s.get(Unit, cert.unit_id).unit_number)
        assert unit is not None and unit.id == cert.unit_id
        assert page.unit_by_number(s, "640522999999GB99999F99999999") is None
        rights = page.rights_of_unit(s, unit.id)
        assert rights and all(r.unit_id == unit.id for r in rights)
        assert [(r.registered_at, r.id) for r in rights] == sorted((r.registered_at, r.id) for r in rights)
        assert any(c.number == cert.number for r in rights for c in r.certificates)
        assert all(rp.party.name for r in rights for rp in r.parties)
        issued = page.certificates_of_unit(s, unit.id)
        assert cert.number in {c.number for c, _name in issued}
        case_ids = {c.id for c in s.scalars(select(Case).where(Case.unit_id == unit.id))}
        assert {case_id for case_id, _number, _status in page.cases_of_unit(s, unit.id)} == case_ids
        assert page.case_numbers_of(s, []) == {}
        assert case_ids and page.case_numbers_of(s, case_ids) == {
            c.id: c.case_number for c in s.scalars(select(Case).where(Case.unit_id == unit.id))
        }
        found = page.certificate_with_unit(s, cert.number)
        assert found is not None and found[0].id == cert.id and found[1] == unit.unit_number
        assert page.certificate_with_unit(s, "no such number") is None


def test_the_search_boxs_look_ups(demo):
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        number, location, name, id_number, party_id = s.execute(
            select(Unit.unit_number, Unit.location, Party.name, Party.id_number, Party.id)
            .join(Right, Right.unit_id == Unit.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .join(Party, Party.id == RightParty.party_id)
            .where(Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        ).first()
        assert party_id in page.party_ids_named(s, name, 50)
        assert number in {row[0] for row in page.units_of_parties(s, [party_id])}
        assert number in {row[0] for row in page.units_of_id_number(s, id_number)}
        assert (number, location) in page.units_like(s, location[-6:], number, 50)
        assert page.units_like(s, "没有这样的坐落", "X", 5) == []
    hits = register.search(demo, CLERK, id_number)
    assert number in {h.unit_number for h in hits}
    assert [h.unit_number for h in register.search(demo, CLERK, number)] == [number]


def test_a_case_with_its_unit(demo, demo_case):
    with demo.unit_of_work(write=False) as uow:
        case = uow.session.scalars(select(Case).where(Case.case_number == demo_case)).one()
        row = page.case_with_unit(uow.session, case.case_number)
        assert row is not None and row[0] == case.case_number and row[1] == case.business_type
        assert page.case_with_unit(uow.session, "000000000000") is None


def test_a_party_by_id_number_and_a_cases_audit_events(demo, demo_case):
    with demo.unit_of_work() as uow:
        party = uow.session.scalars(select(Party).order_by(Party.id)).first()
        row = party_by_id_number(uow.session, party.id_number)
        assert row == (
            party.id_type,
            party.id_number,
            party.name,
            party.kind,
            party.address,
            party.phone,
            party.legal_rep_name,
        )
        assert party_by_id_number(uow.session, "11010519491231002X") is None
        case = uow.session.scalars(select(Case).where(Case.case_number == demo_case)).one()
        accepted = case_audit_events(uow.session, case.id, ("case.prefill_accepted",))
        assert [action for action, _after in accepted] == ["case.prefill_accepted"]
        assert accepted[0][1]["business_type"] == MORTGAGE_CANCEL
        audit.append(uow.session, SYSTEM, "test.one", case_id=case.id, after={"n": 1})
        audit.append(uow.session, SYSTEM, "test.other", case_id=case.id, after={"n": 2})
        audit.append(uow.session, SYSTEM, "test.one", case_id=case.id, after={"n": 3})
        uow.session.flush()
        assert case_audit_events(uow.session, case.id, ("test.one",)) == [
            ("test.one", {"n": 1}),
            ("test.one", {"n": 3}),
        ]
