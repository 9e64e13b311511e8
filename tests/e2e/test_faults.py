"""kill -9 a window process 100 times at random moments while it records and settles, restart it each time,
then finish the work: nothing half-written, every number used once and without gaps, every paid order
settled exactly once, the unpaid ones still open, the audit chain intact (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from registry_desk.demo.loadtest.faults import run_faults
from tests.conftest import BACKENDS, migrated_postgres, postgres_base_url

KILLS = 100


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/register.sqlite3"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL tests skipped: set REGISTRY_DESK_TEST_DATABASE_URL")
    with migrated_postgres(base) as db:
        yield db.url


@pytest.mark.slow
def test_a_hundred_kills_during_recording_and_settlement_leave_the_register_whole(empty_url, tmp_path):
    report = run_faults(empty_url, tmp_path / "run", kills=KILLS, cases_count=30, say=lambda _: None)
    assert report.ok, "\n".join(report.lines())
    assert report.kills == KILLS
    # The unpaid case still waits and its orders are still open; everything paid went all the way.
    assert report.facts["待缴费业务"] >= 1 and report.facts["未支付订单"] >= 1
    assert report.facts["已发证业务"] + report.facts["待缴费业务"] == report.check.facts["cases"]


def test_the_checks_notice_a_half_written_register(tmp_path):
    """The auditor's checks are not a formality: a deleted audit row, a skipped certificate number and a
    settled order without its ledger entry are each reported."""
    from sqlalchemy import delete, select, update

    from registry_desk.demo.loadtest.checks import check_register, counters
    from registry_desk.storage.ledger.tables import LedgerEntry, LedgerPosting
    from registry_desk.storage.database import Database
    from registry_desk.storage.tables import AuditEvent, Certificate, Sequence

    url = f"sqlite:///{tmp_path}/register.sqlite3"
    assert run_faults(url, tmp_path / "run", kills=1, cases_count=8, say=lambda _: None).ok
    db = Database(url)
    try:
        before = counters(db)
        with db.unit_of_work() as uow:
            s = uow.session
            cert = s.scalars(select(Certificate).order_by(Certificate.id.desc()).limit(1)).one()
            name = f"cert:{cert.kind.value}:{cert.year}"
            s.execute(update(Sequence).where(Sequence.name == name).values(value=Sequence.value + 1))
            # A settlement whose ledger entry vanished (as a half-applied write would leave it).
            entry = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "settlement").limit(1)).one()
            s.execute(delete(LedgerPosting).where(LedgerPosting.entry_id == entry.id))
            s.delete(entry)
            s.delete(s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).offset(3).limit(1)).one())
            uow.commit()
        # From the last certificate on, the counter has moved past a number no certificate carries.
        report = check_register(db, before | {name: cert.seq - 1})
    finally:
        db.dispose()
    text = "\n".join(report.problems)
    assert "审计链断裂" in text
    assert f"编号不连续：{name}" in text
    assert "入账不一致" in text
