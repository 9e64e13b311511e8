"""Statements run on the driver cursor (storage/driver_sql.py) write what the ORM writes, refuse what it would
refuse, and recording through them keeps the case's and unit's versions and the audit chain (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.money import Money
from registry_desk.kernel import audit
from registry_desk.registration import intake, payment_status, recording
from registry_desk.storage.driver_sql import Prepared, driver
from registry_desk.storage.tables import AuditEvent, Case, Sequence, Unit
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR, WANG, ZHAO, transfer

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
_EVENT_KEYS = (
    "seq",
    "occurred_at",
    "actor",
    "action",
    "case_id",
    "unit_id",
    "record",
    "before",
    "after",
    "prev_hash",
    "hash",
)
_INSERT_EVENT = Prepared(insert(AuditEvent.__table__), keys=_EVENT_KEYS)


def _event(seq: int, after: dict | None) -> dict:
    return {
        "seq": seq,
        "occurred_at": NOON,
        "actor": "测试",
        "action": "test.write",
        "case_id": None,
        "unit_id": None,
        "record": f"R{seq}",
        "before": None,
        "after": after,
        "prev_hash": "0" * 64,
        "hash": f"{seq:064d}",
    }


def test_a_row_written_on_the_driver_is_stored_exactly_as_the_orm_stores_it(any_db):
    with any_db.unit_of_work() as uow:
        uow.session.add(AuditEvent(**_event(1, {"金额": str(Money.yuan("80.00"))})))
        uow.session.flush()
        _INSERT_EVENT.execute(driver(uow.session), **_event(2, {"金额": str(Money.yuan("80.00"))}))
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        stored = uow.session.execute(
            text(
                "SELECT seq, occurred_at, CAST(before AS TEXT), CAST(after AS TEXT) FROM audit_events ORDER BY seq"
            )
        ).all()
        events = [
            (e.occurred_at, e.before, e.after)
            for e in uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]
    by_orm, by_driver = stored
    # Same text in the database: a missing `before` is JSON null in both, the moment the same UTC instant.
    assert by_orm[1:] == by_driver[1:]
    assert by_driver[2] == "null"
    assert events == [(NOON, None, {"金额": "80.00"})] * 2


def test_every_column_must_be_given_and_a_broken_rule_raises_the_usual_error(any_db):
    with pytest.raises(ValueError, match="does not take"):
        Prepared(insert(Sequence.__table__), keys=("name", "value", "colour"))._prepare(any_db.engine.dialect)
    with any_db.unit_of_work() as uow, pytest.raises(KeyError):  # no column is silently left to a default
        _INSERT_EVENT.execute(
            driver(uow.session), **{k: v for k, v in _event(1, None).items() if k != "record"}
        )
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        _INSERT_EVENT.execute(sql, **_event(7, None))
        with pytest.raises(IntegrityError):  # unique seq: the audit chain cannot fork
            _INSERT_EVENT.execute(sql, **_event(7, None))


def test_literals_in_a_statement_are_part_of_it(any_db):
    counters = Sequence.__table__
    bump = Prepared(
        counters.update()
        .where(counters.c.name == bindparam("counter"))
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    )
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        uow.session.execute(insert(counters).values(name="测试计数", value=41))
        assert bump.rows(sql, counter="测试计数") == [(42,)]
        assert bump.rows(sql, counter="没有这个计数") == []


def test_recording_moves_the_case_and_unit_versions_by_one_and_keeps_the_audit_chain(any_register):
    db, reg = any_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    with db.unit_of_work(write=False) as uow:
        case_version, unit_id = uow.session.execute(
            select(Case.version, Case.unit_id).where(Case.case_number == number)
        ).one()
        unit_version = uow.session.scalar(select(Unit.version).where(Unit.id == unit_id))
    result = recording.record_case(db, REGISTRAR, number, now=MONDAY, expected_version=case_version)
    assert result.status is CaseStatus.RECORDED
    with db.unit_of_work(write=False) as uow:
        case = uow.session.scalars(select(Case).where(Case.case_number == number)).one()
        assert (case.status, case.version, case.recorded_at) == (
            CaseStatus.RECORDED,
            case_version + 1,
            MONDAY,
        )
        assert uow.session.scalar(select(Unit.version).where(Unit.id == unit_id)) == unit_version + 1
    report = audit.verify_chain(db)
    assert report.ok, report.problem
