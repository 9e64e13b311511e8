"""A settling process killed at random points (SIGKILL, 50 times) loses nothing and doubles nothing:
after settling again every paid order is booked once, receipts are not duplicated, the books balance and
the audit chain is intact."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from registry_desk.domain.codes import CaseStatus
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import PaymentOrder, PaymentReceipt
from registry_desk.kernel.audit import verify_chain
from registry_desk.storage.tables import Case
from tests.unit.payments.factories import NOW
from tests.unit.payments.ledger_checks import assert_books_balance, assert_settled_exactly_once
from tests.unit.payments.workers import build_scenario, deliver, settle_forever

KILLS = 50
CASES = 60  # 120 orders


@pytest.mark.slow
def test_killing_the_settling_process_at_random_points_loses_and_doubles_nothing(any_db, tmp_path):
    channel = LocalChannel(tmp_path)
    scenario = build_scenario(any_db, channel, CASES, 4 * CASES * 2, seed=7)
    now = (NOW + timedelta(minutes=20)).isoformat()
    # forkserver: each child forks from a server that has already imported everything, so a kill can land
    # within milliseconds of the start, and the parent's open connections are never inherited.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.unit.payments.workers", "registry_desk.payments.settlement"])
    rng = random.Random(11)
    killed = 0
    for attempt in range(KILLS):
        child = context.Process(
            target=settle_forever, args=(any_db.url, str(tmp_path), scenario.deliveries, now, attempt)
        )
        child.start()
        child.join(timeout=rng.uniform(0.02, 0.6))
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            killed += 1
        child.join()
        assert child.exitcode == -signal.SIGKILL, "the child settles forever; it only ends by being killed"
    assert killed == KILLS

    # Settle again, to completion, in this process.
    deliver(any_db.url, str(tmp_path), scenario.deliveries, now)

    exact = {o for o, fen in scenario.paid.items() if fen == scenario.due[o]}
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        if any_db.is_sqlite:
            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        status = dict(s.execute(select(PaymentOrder.order_no, PaymentOrder.status)).all())
        assert {o for o, st in status.items() if st == "settled"} == exact
        assert {o for o, st in status.items() if st == "review"} == set(scenario.paid) - exact
        assert_settled_exactly_once(s)
        assert_books_balance(s)
        # Receipt records: one fee bill per buyer order and one tax certificate per settled order.
        counts = dict(
            s.execute(select(PaymentReceipt.kind, func.count()).group_by(PaymentReceipt.kind)).all()
        )
        settled_buyer = s.execute(
            select(func.count()).where(PaymentOrder.status == "settled", PaymentOrder.side == "buyer")
        ).scalar_one()
        assert counts == {"fee": settled_buyer, "tax": len(exact)}
        numbers = s.execute(select(PaymentReceipt.number)).scalars().all()
        assert len(numbers) == len(set(numbers))
        moved = s.execute(select(func.count()).where(Case.status == CaseStatus.IN_REVIEW)).scalar_one()
        fully_paid = sum(
            1
            for case_id in s.execute(select(Case.id)).scalars()
            if all(
                st == "settled"
                for st in s.execute(
                    select(PaymentOrder.status).where(PaymentOrder.case_id == case_id)
                ).scalars()
            )
        )
        assert moved == fully_paid
    assert verify_chain(any_db).ok
