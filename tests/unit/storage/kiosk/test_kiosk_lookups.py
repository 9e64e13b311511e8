"""storage/kiosk/lookups.py on both databases, over the tiny register of the case tests: the case with its
parties, its certificates, what a party holds now, and the units the benchmark may sell."""

from __future__ import annotations

from registry_desk.registration import intake, payment_status, recording
from registry_desk.storage.kiosk import lookups
from tests.integration.test_case_helpers import (
    CASHIER,
    CHEN,
    CLERK,
    LI,
    MA,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHAO,
    build_register,
    transfer,
)


def _party_id(s, who) -> int:
    from sqlalchemy import select

    from registry_desk.storage.tables import Party

    return s.scalar(select(Party.id).where(Party.id_number == who[1]))


def test_what_a_party_holds_now_and_the_units_without_other_rights(any_db):
    reg = build_register(any_db)
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        wang, li, chen, ma = (_party_id(s, p) for p in (WANG, LI, CHEN, MA))
        assert [u.unit_number for u in lookups.units_held_by(s, wang)] == sorted([reg.plain, reg.couple])
        assert [u.unit_number for u in lookups.units_held_by(s, chen)] == [reg.noticed]
        assert lookups.units_held_by(s, ma) == []  # 预告登记 only: no ownership
        assert lookups.holds_current_ownership(s, li) and not lookups.holds_current_ownership(s, ma)
        assert lookups.party_by_id(s, wang).name == WANG[0]
        # Every other unit carries a mortgage, a seizure or a notice besides its ownership.
        found = lookups.ownership_parties_of_unencumbered_units(s)
        assert [number for number, _ in found] == [reg.plain, reg.couple, reg.couple]
        assert sorted(found) == sorted([(reg.plain, wang), (reg.couple, wang), (reg.couple, li)])


def test_the_case_with_its_parties_and_its_certificates(any_db):
    reg = build_register(any_db)
    number = intake.accept_case(any_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        case = lookups.case_with_parties(s, number)
        assert sorted(cp.party.name for cp in case.parties) == sorted([WANG[0], ZHAO[0]])
        assert case.unit.unit_number == reg.plain
        assert lookups.case_with_parties(s, "209901010001") is None
        assert lookups.certificates_of_case(s, case.id) == []
    payment_status.confirm_payment(any_db, CASHIER, number, now=MONDAY)
    (issued,) = recording.record_case(any_db, REGISTRAR, number, now=MONDAY).issued_certificates
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        case_id = lookups.case_with_parties(s, number).id
        assert [c.number for c in lookups.certificates_of_case(s, case_id)] == [issued]
        (cert,) = lookups.certificates_with_holders(s, case_id)
        assert cert.number == issued
        assert [rp.party.name for rp in cert.right.parties] == [ZHAO[0]]
