"""The one reader of a unit's current state (storage/register/unit_state.py), on SQLite and PostgreSQL:
every snapshot field set, by number and by id alike, the scan's one-statement shape agreeing with the full
read on what it reads; and the rules, the prefill and the register page all served by it."""

from __future__ import annotations

from dataclasses import fields

import pytest
from sqlalchemy import select

from registry_desk.demo.demo_data import load_demo
from registry_desk.domain.cases import MORTGAGE_CANCEL, TRANSFER
from registry_desk.domain.codes import PartyRole, RightStatus, RightType, Role
from registry_desk.domain.rules import PartySnapshot, RightSnapshot, UnitSnapshot
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor
from registry_desk.registration import prefill, register, unit_state
from registry_desk.storage.prepared import DriverSource
from registry_desk.storage.register.unit_state import read_unit_state
from registry_desk.storage.tables import Certificate, Right, Unit

CLERK = Actor(1, "clerk", "受理员", Role.CLERK)


@pytest.fixture
def demo(any_db):
    load_demo(any_db)
    return any_db


def _mortgaged_unit(db) -> Unit:
    """A demo unit with a current mortgage and no unfinished case (so a prefill is not refused)."""
    with db.unit_of_work(write=False) as uow:
        units = uow.session.scalars(
            select(Unit)
            .join(Right, Right.unit_id == Unit.id)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        ).all()
        for unit in units:
            snapshot = read_unit_state(uow.session, unit_id=unit.id)
            assert snapshot is not None
            if not snapshot.open_cases and not snapshot.seizures and len(snapshot.mortgages) == 1:
                uow.session.expunge(unit)
                return unit
    raise AssertionError("the demo register has a mortgaged unit without an open case")


def _all_fields_set(snapshot: UnitSnapshot) -> None:
    # The reader fills the frozen snapshots' __dict__ itself: that is only right while they have neither a
    # __post_init__ nor slots, and it sets every field.
    for cls in (UnitSnapshot, RightSnapshot, PartySnapshot):
        assert not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
    assert set(vars(snapshot)) == {f.name for f in fields(UnitSnapshot)}
    for right in snapshot.rights:
        assert set(vars(right)) == {f.name for f in fields(RightSnapshot)}
        for party in right.parties:
            assert set(vars(party)) == {f.name for f in fields(PartySnapshot)}


def test_every_field_of_the_snapshot_is_set_by_number_and_by_id(demo):
    unit = _mortgaged_unit(demo)
    with demo.lookup_raw() as raw:
        by_number = read_unit_state(DriverSource(raw, demo.engine.dialect), unit_number=unit.unit_number)
        scan = read_unit_state(
            DriverSource(raw, demo.engine.dialect), unit_number=unit.unit_number, rights_only=True
        )
    with demo.unit_of_work(write=False) as uow:
        by_id = read_unit_state(uow.session, unit_id=unit.id, business_label=load_policy().label)
    assert by_number is not None and by_id is not None and scan is not None
    for snapshot in (by_number, by_id, scan):
        _all_fields_set(snapshot)
    assert by_number == by_id
    assert (by_id.unit_id, by_id.unit_number, by_id.location) == (unit.id, unit.unit_number, unit.location)
    assert by_id.building_area == unit.building_area and by_id.planned_use == unit.planned_use
    ownership, mortgage = by_id.ownership, by_id.mortgages[0]
    assert ownership is not None and ownership.holders and ownership.registered_at is not None
    assert mortgage.holders and mortgage.secured_amount is not None and mortgage.certificate_numbers
    with demo.unit_of_work(write=False) as uow:
        numbers = uow.session.scalars(
            select(Certificate.number).where(Certificate.right_id == mortgage.id).order_by(Certificate.id)
        ).all()
    assert mortgage.reference in numbers
    # The scan reads the rights' identities and their parties' names, nothing more.
    assert [(r.id, r.right_type, r.label) for r in scan.rights] == [
        (r.id, r.right_type, r.label) for r in by_id.rights
    ]
    assert [[p.key + (p.name, p.role, p.share) for p in r.parties] for r in scan.rights] == [
        [p.key + (p.name, p.role, p.share) for p in r.parties] for r in by_id.rights
    ]
    assert all(not r.certificate_numbers and r.secured_amount is None for r in scan.rights)
    assert scan.open_cases == ()


def test_an_unknown_unit_reads_as_none_and_one_key_is_required(demo):
    with demo.unit_of_work(write=False) as uow:
        assert read_unit_state(uow.session, unit_number="640522999999GB99999F99999999") is None
        assert read_unit_state(uow.session, unit_id=-1) is None
        with pytest.raises(ValueError):
            read_unit_state(uow.session)
        with pytest.raises(ValueError):
            read_unit_state(uow.session, unit_number="x", unit_id=1)


def test_a_session_read_sees_its_pending_changes(demo):
    unit = _mortgaged_unit(demo)
    with demo.unit_of_work() as uow:
        row = uow.session.get(Unit, unit.id)
        row.location = "更正后的坐落"
        snapshot = read_unit_state(uow.session, unit_id=unit.id)
        assert snapshot is not None and snapshot.location == "更正后的坐落"


def test_the_rules_the_prefill_and_the_register_page_are_served_by_one_reader(demo, monkeypatch):
    """One snapshot read feeds all three: the rules' unit, the prefill's owners and the register page's lines
    are the same parties, and each of the three reads the unit through `read_unit_state`, once."""
    unit = _mortgaged_unit(demo)
    assert (
        unit_state.read_unit_state is prefill.read_unit_state is register.read_unit_state is read_unit_state
    )
    calls: list[str] = []

    def counted(module):
        def reader(*args, **kwargs):
            calls.append(module.__name__)
            return read_unit_state(*args, **kwargs)

        monkeypatch.setattr(module, "read_unit_state", reader)

    for module in (unit_state, prefill, register):
        counted(module)
    with demo.unit_of_work(write=False) as uow:
        snapshot = unit_state.unit_snapshot(uow.session, uow.session.get(Unit, unit.id))
    owners = snapshot.ownership.holders
    bank = snapshot.mortgages[0]

    filled = prefill.prefill(demo, CLERK, TRANSFER, unit.unit_number)
    sellers = filled.request.with_role(PartyRole.OBLIGOR)
    assert [(p.id_type, p.id_number, p.name) for p in sellers] == [
        (o.id_type, o.id_number, o.name) for o in owners
    ]
    cancel = prefill.prefill(demo, CLERK, MORTGAGE_CANCEL, unit.unit_number)
    assert cancel.request.cancellation.mortgage == bank.reference
    assert [p.key for p in cancel.request.with_role(PartyRole.RIGHT_HOLDER)] == [p.key for p in bank.holders]

    page = register.unit_current(demo, CLERK, unit.unit_number)
    lines = {(line.right_id, line.party_id_number, line.party_name) for line in page.rights}
    assert lines == {(r.id, p.id_number, p.name) for r in snapshot.rights for p in r.parties}
    owner_lines = [line for line in page.rights if line.right_type is RightType.OWNERSHIP]
    assert [line.party_id_number for line in owner_lines] == [o.id_number for o in owners]
    assert (page.unit_number, page.location) == (snapshot.unit_number, snapshot.location)
    assert calls == [
        "registry_desk.registration.unit_state",
        "registry_desk.registration.prefill",
        "registry_desk.registration.prefill",
        "registry_desk.registration.register",
    ]
