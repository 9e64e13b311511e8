"""10,000 payment deliveries from 4 processes at once — duplicates, replays, out of order, forged — settle
every paid order exactly once and leave every ledger balanced to the fen (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import CaseStatus
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import ChannelTransaction, PaymentOrder
from registry_desk.kernel.audit import verify_chain
from registry_desk.storage.tables import Case
from tests.unit.payments.factories import NOW
from tests.unit.payments.ledger_checks import assert_books_balance, assert_settled_exactly_once
from tests.unit.payments.workers import build_scenario, deliver

PROCESSES = 4
DELIVERIES = 10_000
CASES = 100  # 200 orders


@pytest.mark.slow
def test_ten_thousand_deliveries_from_four_processes_settle_each_paid_order_once(any_db, tmp_path):
    channel = LocalChannel(tmp_path)
    scenario = build_scenario(any_db, channel, CASES, DELIVERIES)
    assert len(scenario.deliveries) == DELIVERIES
    chunks = [scenario.deliveries[i::PROCESSES] for i in range(PROCESSES)]
    now = (NOW + timedelta(minutes=20)).isoformat()
    # ProcessPoolExecutor, not Pool: a worker that dies makes the test fail (BrokenProcessPool), not hang.
    with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(deliver, any_db.url, str(tmp_path), chunk, now) for chunk in chunks]
        results = [f.result(timeout=600) for f in futures]
    totals: dict[str, int] = {}
    for counts in results:
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n

    exact = {o for o, fen in scenario.paid.items() if fen == scenario.due[o]}
    short = set(scenario.paid) - exact
    assert totals["forged"] == scenario.forged
    assert totals["settled"] == len(exact)
    assert totals["review"] == len(short)
    assert sum(totals.values()) == DELIVERIES

    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        status = dict(s.execute(select(PaymentOrder.order_no, PaymentOrder.status)).all())
        assert {o for o, st in status.items() if st == "settled"} == exact
        assert {o for o, st in status.items() if st == "review"} == short
        assert {o for o, st in status.items() if st == "open"} == set(scenario.due) - set(scenario.paid)
        # One transaction row per distinct paid order: forged reports never reached the table.
        txns = s.execute(select(ChannelTransaction.order_no)).scalars().all()
        assert sorted(txns) == sorted(scenario.paid)
        assert_settled_exactly_once(s)
        balances = assert_books_balance(s)
        assert balances["clearing"].fen == sum(scenario.due[o] for o in exact)
        # A case moved on exactly when both its orders settled.
        by_case: dict[int, set[str]] = {}
        for case_id, st in s.execute(select(PaymentOrder.case_id, PaymentOrder.status)):
            by_case.setdefault(case_id, set()).add(st)
        for case_id, case_status in s.execute(select(Case.id, Case.status)):
            expected = (
                CaseStatus.IN_REVIEW if by_case[case_id] == {"settled"} else CaseStatus.AWAITING_PAYMENT
            )
            assert case_status is expected, case_id
    assert verify_chain(any_db).ok
