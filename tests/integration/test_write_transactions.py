"""Write transactions (storage/database.py): the driver-level one that recording runs in, and the Session one
every other service uses, keep "nothing is half-saved" when the work fails half-way or the server goes away,
and say so in Chinese (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from registry_desk.domain.codes import CaseStatus
from registry_desk.kernel import audit
from registry_desk.registration import intake, payment_status, recording
from registry_desk.storage.database import Database, DatabaseUnavailable
from registry_desk.storage.register import recording as recording_sql
from registry_desk.storage.tables import Case, Certificate, Right, Sequence, Unit
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    CASHIER,
    CLERK,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHAO,
    build_register,
    transfer,
)

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register


def _state(db: Database, number: str) -> tuple[Any, ...]:
    """What recording would change: the case, its unit's version, rights, certificates and the counters."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case_status, case_version, unit_id = s.execute(
            select(Case.status, Case.version, Case.unit_id).where(Case.case_number == number)
        ).one()
        return (
            case_status,
            case_version,
            s.scalar(select(Unit.version).where(Unit.id == unit_id)),
            s.scalar(select(func.count()).select_from(Right)),
            s.scalar(select(func.count()).select_from(Certificate)),
            tuple(s.execute(select(Sequence.name, Sequence.value).order_by(Sequence.name)).all()),
        )


def _accepted_transfer(db: Database, reg: Any) -> str:
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    return number


def test_a_recording_that_fails_after_its_writes_saves_nothing_and_skips_no_number(any_register, monkeypatch):
    db, reg = any_register
    number = _accepted_transfer(db, reg)
    before = _state(db, number)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("audit store failed")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "append", broken)  # after the new right, the ended one and the number
        with pytest.raises(RuntimeError, match="audit store failed"):
            recording.record_case(db, REGISTRAR, number, now=MONDAY)
    assert _state(db, number) == before
    assert before[0] is CaseStatus.IN_REVIEW

    # The next attempt gets the number the failed one had drawn: rolled back, so never skipped.
    result = recording.record_case(db, REGISTRAR, number, now=MONDAY)
    assert result.status is CaseStatus.RECORDED
    with db.unit_of_work(write=False) as uow:
        (seq,) = uow.session.scalars(
            select(Certificate.seq).where(Certificate.number.in_(result.issued_certificates))
        )
    counters_before, counters_after = dict(before[5]), dict(_state(db, number)[5])
    moved = {
        name: value - counters_before.get(name, 0)
        for name, value in counters_after.items()
        if value != counters_before.get(name, 0)
    }
    assert list(moved.values()) == [1]
    assert seq == counters_after[next(iter(moved))]
    assert audit.verify_chain(db).ok


def _terminate(db: Database, pid: int) -> None:
    """Ends a server process from another connection: the server restarted, or the network dropped."""
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_server_lost_in_the_middle_of_a_recording_is_a_chinese_refusal_and_nothing_is_saved(
    postgres_db, monkeypatch
):
    db = postgres_db
    reg = build_register(db)
    number = _accepted_transfer(db, reg)
    before = _state(db, number)
    real = recording_sql.lock_case_for_recording

    def lose_the_server(sql: Any, case_number: str) -> Any:
        found = real(sql, case_number)  # the unit and the case are locked; then the server goes away
        _terminate(db, sql.connection.info.backend_pid)
        return found

    with monkeypatch.context() as patched:
        patched.setattr(recording_sql, "lock_case_for_recording", lose_the_server)
        with pytest.raises(DatabaseUnavailable, match="数据库不可用或繁忙.*本次操作未保存任何内容"):
            recording.record_case(db, REGISTRAR, number, now=MONDAY)
    assert _state(db, number) == before
    # The dead connection was dropped from the pool: the registrar simply tries again.
    assert recording.record_case(db, REGISTRAR, number, now=MONDAY).status is CaseStatus.RECORDED


def test_a_server_lost_under_a_session_unit_of_work_is_a_chinese_refusal(postgres_db):
    db = postgres_db
    with pytest.raises(DatabaseUnavailable, match="数据库不可用或繁忙") as refused, db.unit_of_work() as uow:
        pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(db, pid)
        uow.session.execute(text("SELECT 1"))
    assert refused.value.rule == "数据库事务"
    with db.unit_of_work(write=False) as uow:
        assert uow.session.execute(text("SELECT 1")).scalar_one() == 1


def test_driver_work_saves_only_what_is_committed(any_db):
    db = any_db
    with db.driver_work() as work:
        work.driver.cursor().execute("INSERT INTO sequences (name, value) VALUES ('测试:未提交', 1)")
    with db.driver_work() as work:
        work.driver.cursor().execute("INSERT INTO sequences (name, value) VALUES ('测试:已提交', 2)")
        work.commit()
    with db.unit_of_work(write=False) as uow:
        names = set(uow.session.scalars(select(Sequence.name).where(Sequence.name.like("测试:%"))))
    assert names == {"测试:已提交"}


def test_a_server_lost_under_a_look_up_is_a_chinese_refusal(postgres_db):
    db = postgres_db
    with pytest.raises(DatabaseUnavailable, match="查询时数据库不可用"), db.lookup() as conn:
        _terminate(db, conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        conn.execute(text("SELECT 1"))
    with db.lookup() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
