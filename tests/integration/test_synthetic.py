"""The synthetic benchmark register: valid, unique identifiers at any size, and room for the demo beside it."""

from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from registry_desk.domain.codes import (
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import ConflictError
from registry_desk.domain.identifiers import is_valid_resident_id, parse_unit_number
from registry_desk.demo import demo_data
from registry_desk.demo import synthetic
from registry_desk.kernel.audit import verify_chain
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, Certificate, Party, Right, RightParty, Sequence, Unit

UNITS = 2000


@pytest.fixture(scope="module")
def synthetic_db(module_db: Database) -> tuple[Database, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    synthetic.generate(
        module_db, UNITS, progress=lambda done, total: calls.append((done, total)), batch_size=700
    )
    return module_db, calls


def test_every_unit_has_exactly_one_current_ownership_with_its_certificate(synthetic_db) -> None:
    db, _ = synthetic_db
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        assert s.execute(select(func.count()).select_from(Unit)).scalar_one() == UNITS
        owned = Counter(
            s.execute(
                select(Right.unit_id).where(
                    Right.right_type == RightType.OWNERSHIP, Right.status == RightStatus.CURRENT
                )
            ).scalars()
        )
        assert len(owned) == UNITS and set(owned.values()) == {1}
        current_rights = s.execute(
            select(func.count()).where(Right.status == RightStatus.CURRENT)
        ).scalar_one()
        certificates = s.execute(
            select(func.count()).where(Certificate.status == CertificateStatus.CURRENT)
        ).scalar_one()
        assert certificates == current_rights
        mortgages = s.execute(select(func.count()).where(Right.right_type == RightType.MORTGAGE)).scalar_one()
    assert 0.02 * UNITS < mortgages < 0.09 * UNITS


def test_identifiers_are_valid_and_unique(synthetic_db) -> None:
    db, _ = synthetic_db
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        numbers = s.execute(select(Unit.unit_number)).scalars().all()
        ids = s.execute(select(Party.id_number).where(Party.id_type == "111")).scalars().all()
        certificate_numbers = s.execute(select(Certificate.number)).scalars().all()
        sequences = {row.name: row.value for row in s.execute(select(Sequence)).scalars()}
        highest = s.execute(
            select(Certificate.kind, Certificate.year, func.max(Certificate.seq)).group_by(
                Certificate.kind, Certificate.year
            )
        ).all()
    assert len(set(numbers)) == UNITS
    assert all(parse_unit_number(n).county_code in {"640502", "640521", "640522"} for n in numbers)
    assert len(set(ids)) == len(ids) and all(is_valid_resident_id(i) for i in ids)
    assert all(500 <= int(i[14:17]) for i in ids)  # the demo register keeps 001-499
    assert len(set(certificate_numbers)) == len(certificate_numbers)
    assert sequences == {demo_data.certificate_sequence_name(CertificateKind(k), y): m for k, y, m in highest}


def test_parties_own_about_one_and_a_half_units_each(synthetic_db) -> None:
    db, _ = synthetic_db
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        people = s.execute(select(func.count()).where(Party.id_type == "111")).scalar_one()
        holdings = Counter(
            s.execute(
                select(RightParty.party_id)
                .join(Right, Right.id == RightParty.right_id)
                .where(Right.right_type == RightType.OWNERSHIP, RightParty.role == PartyRole.RIGHT_HOLDER)
            ).scalars()
        )
        shares: dict[int, list[Fraction]] = defaultdict(list)
        for right_id, share in s.execute(
            select(RightParty.right_id, RightParty.share)
            .join(Right, Right.id == RightParty.right_id)
            .where(Right.co_ownership == CoOwnership.BY_SHARES, RightParty.role == PartyRole.RIGHT_HOLDER)
        ):
            shares[right_id].append(share)
    assert people == -(-UNITS * 2 // 3)
    assert len(holdings) == people  # nobody left without a unit
    assert max(holdings.values()) >= 2
    assert shares and all(sum(parts) == 1 for parts in shares.values())


def test_progress_is_reported_per_batch_and_one_audit_event_is_written(synthetic_db) -> None:
    db, calls = synthetic_db
    assert calls == [(700, UNITS), (1400, UNITS), (2000, UNITS)]
    with db.unit_of_work(write=False) as uow:
        actions = uow.session.execute(select(AuditEvent.action)).scalars().all()
    assert actions == [synthetic.AUDIT_ACTION]
    assert verify_chain(db).ok


def test_a_second_run_is_refused(synthetic_db) -> None:
    db, _ = synthetic_db
    with pytest.raises(ConflictError, match="合成"):
        synthetic.generate(db, 10)


def test_it_fits_beside_the_demo_register(sqlite_db: Database) -> None:
    demo = demo_data.load_demo(sqlite_db)
    synthetic.generate(sqlite_db, 300, seed=7)
    with sqlite_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert s.execute(select(func.count()).select_from(Unit)).scalar_one() == demo.units + 300
        banks = s.execute(select(func.count()).where(Party.name.like("%银行%"))).scalar_one()
        proofs = s.execute(
            select(func.count()).where(Certificate.kind == CertificateKind.REGISTRATION_PROOF)
        ).scalar_one()
    assert banks == 3  # reused, not duplicated
    assert proofs > 0


def test_a_land_term_starting_on_29_february_ends_in_a_real_day():
    # The 1,000,000-unit generation once died at unit ~200,000 on 2004-02-29 + 70 years.
    from datetime import date

    from registry_desk.demo.synthetic import _years_later

    assert _years_later(date(2004, 2, 29), 70) == date(2074, 2, 28)
    assert _years_later(date(2004, 2, 29), 4) == date(2008, 2, 29)
    assert _years_later(date(2004, 3, 1), 70) == date(2074, 3, 1)
