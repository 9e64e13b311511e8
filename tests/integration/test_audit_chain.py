"""The audit trail detects any altered, deleted or reordered row, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import delete, select, text, update

from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.tables import AuditEvent


@pytest.fixture
def chained(any_db):
    with any_db.unit_of_work() as uow:
        for i in range(1, 7):
            audit.append(
                uow.session, SYSTEM, "case.accept", case_id=i, record=f"2026112600{i:02d}", after={"n": i}
            )
        uow.commit()
    assert audit.verify_chain(any_db).ok
    return any_db


def _events(db):
    with db.unit_of_work(write=False) as uow:
        events = uow.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        uow.session.expunge_all()  # keep the loaded values after the read transaction ends
        return events


def test_intact_chain_verifies(chained):
    report = audit.verify_chain(chained)
    assert report.ok and report.events == 6


def test_altered_content_is_named(chained):
    with chained.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(record="forged"))
    report = audit.verify_chain(chained)
    assert not report.ok and report.first_bad_seq == 4
    assert "第 4 条" in report.problem and "改动" in report.problem


def test_recomputed_hash_on_altered_row_is_caught_at_that_row(chained):
    # A forger without the chain key who rewrites row 3 and its (unkeyed) hash is caught at row 3 itself.
    from registry_desk.domain.audit import AuditEntry, entry_hash

    ev = _events(chained)[2]
    entry = AuditEntry(
        ev.seq, ev.occurred_at, ev.actor, ev.action, ev.case_id, ev.unit_id, "forged", ev.before, ev.after
    )
    with chained.engine.begin() as conn:
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == 3)
            .values(record="forged", hash=entry_hash(entry, ev.prev_hash))
        )
    report = audit.verify_chain(chained)
    assert not report.ok and report.first_bad_seq == 3


def test_deleted_middle_row_is_named(chained):
    with chained.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    report = audit.verify_chain(chained)
    assert not report.ok and report.first_bad_seq == 2 and "缺失" in report.problem


def test_deleted_last_row_is_detected_through_the_head(chained):
    with chained.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == 6))
    report = audit.verify_chain(chained)
    assert not report.ok and "末尾缺失" in report.problem


def test_reordered_rows_are_detected(chained):
    a, b = _events(chained)[1], _events(chained)[4]
    cols = [
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
    ]
    va = {c: getattr(a, c) for c in cols}
    vb = {c: getattr(b, c) for c in cols}
    with chained.engine.begin() as conn:
        # move one out of the way of the unique seq, then swap
        conn.execute(update(AuditEvent).where(AuditEvent.id == a.id).values(seq=-1))
        conn.execute(update(AuditEvent).where(AuditEvent.id == b.id).values(**va))
        conn.execute(update(AuditEvent).where(AuditEvent.id == a.id).values(**vb))
    report = audit.verify_chain(chained)
    assert not report.ok and report.first_bad_seq == 2


def test_audit_verify_command_exit_status(tmp_path, capsys):
    from registry_desk.cli import main

    args = ["--data-dir", str(tmp_path)]
    assert main([*args, "init", "--no-demo"]) == 0
    assert main([*args, "audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    # an account creation is audited; tamper with it through plain SQL
    from registry_desk.domain.codes import Role
    from registry_desk.kernel.context import SYSTEM
    from registry_desk.operations.users import create_user
    from registry_desk.storage.database import Database

    db = Database(f"sqlite:///{tmp_path}/registry.sqlite3")
    create_user(db, SYSTEM, "clerk9", "受理员", Role.CLERK, "long-enough-pw")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory'"))
    db.dispose()
    assert main([*args, "audit", "verify"]) == 1
    assert "审计链异常" in capsys.readouterr().out
