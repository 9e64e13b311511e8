"""The scan-to-screen look-ups on both databases: a unit with its current rights, a person's units."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import RightStatus, RightType, Role
from registry_desk.domain.errors import NotFound, PermissionDenied
from registry_desk.registration import register
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.tables import AuditEvent, Party, Right, RightParty, Unit

CLERK = Actor(1, "clerk", "受理员", Role.CLERK)


@pytest.fixture
def demo(any_db):
    load_demo(any_db)
    return any_db


def _mortgaged(db):
    with db.unit_of_work(write=False) as uow:
        return uow.session.execute(
            select(Unit.unit_number, Party.name)
            .join(Right, Right.unit_id == Unit.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .join(Party, Party.id == RightParty.party_id)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        ).first()


def test_a_mortgaged_unit_shows_owner_and_bank(demo):
    number, bank = _mortgaged(demo)
    unit = register.unit_current(demo, CLERK, number.lower())  # a scanner may send lower case
    assert unit.unit_number == number
    types = {line.right_type for line in unit.rights}
    assert RightType.OWNERSHIP in types and RightType.MORTGAGE in types
    assert bank in {line.party_name for line in unit.restrictions}


def test_a_persons_units_by_id_number(demo):
    with demo.unit_of_work(write=False) as uow:
        owner_id, number = uow.session.execute(
            select(Party.id_number, Unit.unit_number)
            .join(RightParty, RightParty.party_id == Party.id)
            .join(Right, Right.id == RightParty.right_id)
            .join(Unit, Unit.id == Right.unit_id)
            .where(
                Right.right_type == RightType.OWNERSHIP,
                Right.status == RightStatus.CURRENT,
                Party.id_type == "111",
            )
        ).first()
    hits = register.party_units(demo, CLERK, owner_id)
    assert number in {h.unit_number for h in hits}
    assert register.party_units(demo, CLERK, "11010519491231002X") == []


def test_unknown_unit_and_kiosk_role(demo):
    with pytest.raises(NotFound, match="640522999999GB99999F99999999"):
        register.unit_current(demo, CLERK, "640522999999GB99999F99999999")
    with pytest.raises(PermissionDenied):
        register.unit_current(demo, Actor(2, "kiosk1", "自助机", Role.KIOSK), "640522999999GB99999F99999999")


def test_moments_keep_their_instant_on_both_databases(any_db):
    # 09:30 in Beijing is 01:30 UTC; SQLite (no time zones) must not read it back as 09:30 UTC.
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2026, 3, 5, 9, 30, tzinfo=beijing)
    from registry_desk.kernel import audit

    with any_db.unit_of_work() as uow:
        audit.append(uow.session, SYSTEM, "test.moment", at=moment)
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(AuditEvent.occurred_at).where(AuditEvent.action == "test.moment"))
    assert stored.tzinfo is not None and stored == moment
    assert stored.utcoffset() == timedelta(0) and stored.hour == 1
    assert audit.verify_chain(any_db).ok


def test_a_naive_moment_is_refused(sqlite_db):
    from registry_desk.kernel import audit

    # Refused when written (the audit trail writes at once; ORM rows at flush), and nothing is saved.
    with sqlite_db.unit_of_work() as uow, pytest.raises(Exception, match="naive datetime"):
        audit.append(uow.session, SYSTEM, "test.naive", at=datetime(2026, 3, 5, 9, 30))
        uow.session.flush()
    with sqlite_db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "test.naive")) is None


def test_look_ups_survive_a_dropped_connection_and_dispose_closes_them(demo):
    number, _bank = _mortgaged(demo)
    register.unit_current(demo, CLERK, number)
    conn = demo._local.lookup
    conn.close()  # e.g. the server restarted under a window
    from registry_desk.storage.database import DatabaseUnavailable

    with pytest.raises(DatabaseUnavailable, match="数据库连接中断"):
        register.unit_current(demo, CLERK, number)
    assert register.unit_current(demo, CLERK, number).unit_number == number  # a fresh connection
    demo.dispose()
    assert demo._lookup_connections == []
