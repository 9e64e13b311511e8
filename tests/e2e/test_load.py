"""The hall under load, small: four window processes take a day's mix of cases (transfer, first mortgage,
cancellation, advance notice) on the demo + synthetic register through intake, payment, recording and
printing at once; every case ends issued or refused with a reason, nothing is lost, and the auditor's
checks pass (SQLite and PostgreSQL). The full run (8 × 2,000) is `registry-desk loadtest`, see README."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry_desk.demo.loadtest.runner import run_load
from registry_desk.demo.loadtest.window import ISSUED, REFUSED
from registry_desk.storage.ledger.tables import PaymentOrder
from registry_desk.storage.tables import AuditEvent, Case
from tests.conftest import BACKENDS, migrated_postgres, postgres_base_url

WINDOWS = 4
CASES = 100  # 4 windows × 25 cases


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
def test_four_windows_at_once_account_for_every_case_and_keep_the_register_whole(empty_url, tmp_path):
    report = run_load(
        empty_url, tmp_path / "run", windows=WINDOWS, cases=CASES, seal_every=10, say=lambda _: None
    )
    assert report.ok, "\n".join(report.lines())

    # Every planned case has exactly one outcome, and all four business types were worked.
    assert sorted(o.index for o in report.outcomes) == list(range(CASES))
    assert {o.business_type for o in report.outcomes} == {
        "transfer",
        "mortgage_first",
        "mortgage_cancel",
        "advance_notice",
    }
    assert report.count(ISSUED) + report.count(REFUSED) == CASES
    assert report.count(ISSUED) >= CASES * 9 // 10, "\n".join(report.lines())
    assert all(o.reason for o in report.outcomes if o.result == REFUSED)  # a refusal always says why
    assert len({o.case_number for o in report.outcomes}) == CASES  # one case number each, none shared

    from registry_desk.storage.database import Database

    db = Database(empty_url)
    try:
        with db.unit_of_work(write=False) as uow:
            s = uow.session
            by_window = dict(
                s.execute(
                    select(AuditEvent.actor, func.count())
                    .where(AuditEvent.action == "case.accepted")
                    .group_by(AuditEvent.actor)
                ).all()
            )
            # The windows really worked side by side: every one of the four accepted cases.
            assert sorted(by_window) == [f"load-clerk{n:02d}" for n in range(1, WINDOWS + 1)]
            # Charged cases were paid and settled through the channel, none left open.
            assert s.scalar(select(func.count()).where(PaymentOrder.status == "settled")) > 0
            assert s.scalar(select(func.count()).where(PaymentOrder.status == "open")) == 0
            assert s.scalar(select(func.count()).select_from(Case)) == CASES
    finally:
        db.dispose()
    assert sum(o.sealed for o in report.outcomes) >= 1  # the full print service (sealed) was exercised
    assert report.seconds > 0
