"""Several windows at once: two processes (SQLite) or two connections (PostgreSQL) recording conflicting cases on
one unit — exactly one wins, the other is told why and nothing of it is saved; many windows recording at once
get certificate numbers with no duplicate and no gap; a rolled-back recording leaves no gap either."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import AdvanceNoticeKind, CaseStatus, CertificateKind, CertificateStatus
from registry_desk.registration import intake, payment_status, queries, recording
from registry_desk.kernel.numbers import allocate_certificate_number, certificate_counter, peek_value
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Certificate
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    CASHIER,
    CHEN,
    CLERK,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHAO,
    accept_worker,
    build_register,
    mortgage,
    notice,
    record_worker,
    row_counts,
    spare_owner,
    transfer,
    twin_case,
)

# The shared fixtures: the tiny register built once per module and copied for each test.
register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

WORKERS = 4
CASES_EACH = 10


@pytest.fixture(scope="module")
def spawned():
    """Worker processes started with 'spawn' (as on Windows: nothing inherited), each opening its own
    Database on the shared file; started once for the module because a spawn costs an interpreter start."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(WORKERS) as pool:
        yield pool, manager


def _run_processes(spawned, target: Callable, jobs: list[tuple]) -> list[tuple]:
    pool, manager = spawned
    barrier = manager.Barrier(len(jobs))  # released only when every job is in its own worker
    pending = [pool.apply_async(target, (*job, barrier)) for job in jobs]
    return [outcome for p in pending for outcome in p.get(timeout=120)]


def _run_threads(target: Callable, jobs: list[tuple]) -> list[tuple]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[tuple] = []
    lock = threading.Lock()

    def run(job: tuple) -> None:
        result = target(*job, barrier)
        with lock:
            outcomes.extend(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(len(job[1]) if isinstance(job[1], list) else 1 for job in jobs) == len(outcomes)
    return outcomes


def _conflicting_transfers(db: Database) -> tuple[str, str, str]:
    """Two transfers of 王建国's flat in review at once: to 赵敏 (accepted) and to 陈静 (its twin)."""
    reg = build_register(db)
    first = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, first, now=MONDAY)
    twin_case(db, first, "202603029999", (ZHAO[1], CHEN[1]))
    return reg.plain, first, "202603029999"


def _assert_one_winner(db: Database, outcomes: list[tuple]) -> None:
    winners = [o for o in outcomes if o[0] == "ok"]
    losers = [o for o in outcomes if o[0] == "refused"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert winners[0][2] == ["宁(2026)中卫市不动产权第0000001号"]
    # The loser is told plainly: the unit has a recorded case, or its seller is no longer the owner.
    assert "已有未办结业务" in losers[0][2][0] or "不是单元" in losers[0][2][0], losers[0][2][0]
    assert queries.get_case(db, CLERK, losers[0][1]).status is CaseStatus.IN_REVIEW
    with db.unit_of_work(write=False) as uow:
        issued = uow.session.scalars(select(Certificate.number).where(Certificate.year == 2026)).all()
        assert issued == ["宁(2026)中卫市不动产权第0000001号"]
        counter = peek_value(uow.session, certificate_counter(CertificateKind.RIGHT_CERTIFICATE, 2026))
        assert counter == 1  # the loser's transaction took no number


def _many_cases(db: Database) -> list[str]:
    reg = build_register(db, spare_units=WORKERS * CASES_EACH)
    numbers = []
    for i, unit in enumerate(reg.spare):
        request = notice(unit, AdvanceNoticeKind.OTHER_PURCHASE, [ZHAO], [spare_owner(i)])
        numbers.append(intake.accept_case(db, CLERK, request, now=MONDAY).case_number)
    return numbers


def _assert_numbers_contiguous(db: Database, outcomes: list[tuple]) -> None:
    assert [o for o in outcomes if o[0] != "ok"] == []
    issued = [n for o in outcomes for n in o[2]]
    assert len(issued) == len(set(issued)) == WORKERS * CASES_EACH
    with db.unit_of_work(write=False) as uow:
        seqs = sorted(
            uow.session.scalars(
                select(Certificate.seq).where(
                    Certificate.year == 2026, Certificate.kind == CertificateKind.REGISTRATION_PROOF
                )
            )
        )
        assert seqs == list(range(1, WORKERS * CASES_EACH + 1))
        counter = peek_value(uow.session, certificate_counter(CertificateKind.REGISTRATION_PROOF, 2026))
        assert counter == WORKERS * CASES_EACH


# --- SQLite: separate processes on one file ---------------------------------------------------------------


def test_sqlite_two_processes_record_conflicting_transfers_one_wins(sqlite_db, spawned):
    _unit, first, twin = _conflicting_transfers(sqlite_db)
    outcomes = _run_processes(spawned, record_worker, [(sqlite_db.url, [first]), (sqlite_db.url, [twin])])
    _assert_one_winner(sqlite_db, outcomes)


def test_sqlite_two_processes_accepting_on_one_unit_one_wins(sqlite_register, spawned):
    sqlite_db, reg = sqlite_register
    jobs = [
        (sqlite_db.url, transfer(reg.plain, [WANG], [ZHAO])),
        (
            sqlite_db.url,
            mortgage(reg.plain, ("黄河示范银行股份有限公司中卫分行", "91640500MA7HH00105"), [WANG]),
        ),
    ]
    outcomes = _run_processes(spawned, accept_worker, jobs)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    refused = next(o for o in outcomes if o[0] == "refused")
    winner = next(o for o in outcomes if o[0] == "ok")
    assert "已有未办结业务" in refused[2][0] and winner[1] in refused[2][0]


def test_sqlite_many_processes_number_certificates_without_gaps_or_duplicates(sqlite_db, spawned):
    numbers = _many_cases(sqlite_db)
    jobs = [(sqlite_db.url, numbers[i::WORKERS]) for i in range(WORKERS)]
    _assert_numbers_contiguous(sqlite_db, _run_processes(spawned, record_worker, jobs))


def test_a_rolled_back_allocation_leaves_no_gap(sqlite_db):
    with sqlite_db.unit_of_work() as uow:
        assert allocate_certificate_number(uow.session, CertificateKind.RIGHT_CERTIFICATE, 2026)[1] == 1
        uow.commit()
    with sqlite_db.unit_of_work() as uow:  # a recording that fails after taking its number
        assert allocate_certificate_number(uow.session, CertificateKind.RIGHT_CERTIFICATE, 2026)[1] == 2
    with sqlite_db.unit_of_work() as uow:
        number, seq = allocate_certificate_number(uow.session, CertificateKind.RIGHT_CERTIFICATE, 2026)
        assert (number, seq) == ("宁(2026)中卫市不动产权第0000002号", 2)
        # Kinds and years count separately.
        assert allocate_certificate_number(uow.session, CertificateKind.REGISTRATION_PROOF, 2026)[1] == 1
        assert allocate_certificate_number(uow.session, CertificateKind.RIGHT_CERTIFICATE, 2027)[1] == 1


def test_a_failed_recording_saves_nothing_and_keeps_its_number_free(sqlite_register, monkeypatch):
    sqlite_db, reg = sqlite_register
    number = intake.accept_case(sqlite_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(sqlite_db, CASHIER, number, now=MONDAY)
    before = row_counts(sqlite_db)

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk full while writing the audit event")

    monkeypatch.setattr(recording.audit, "append", broken_append)
    with pytest.raises(RuntimeError):
        recording.record_case(sqlite_db, REGISTRAR, number, now=MONDAY)
    monkeypatch.undo()
    assert row_counts(sqlite_db) == before
    result = recording.record_case(sqlite_db, REGISTRAR, number, now=MONDAY)
    assert result.issued_certificates == ("宁(2026)中卫市不动产权第0000001号",)
    with sqlite_db.unit_of_work(write=False) as uow:
        old = uow.session.scalar(select(Certificate).where(Certificate.number == reg.plain_certificate))
        assert old.status is CertificateStatus.CANCELLED


# --- PostgreSQL: separate connections ---------------------------------------------------------------------


def test_postgres_two_connections_record_conflicting_transfers_one_wins(postgres_db, monkeypatch):
    _unit, first, twin = _conflicting_transfers(postgres_db)
    original = recording.unit_snapshot

    def slow_snapshot(*args, **kwargs):
        # Widen the window between reading the register and writing it: without the unit row lock both
        # windows would read the same owner here and both record.
        snapshot = original(*args, **kwargs)
        time.sleep(0.3)
        return snapshot

    monkeypatch.setattr(recording, "unit_snapshot", slow_snapshot)
    outcomes = _run_threads(record_worker, [(postgres_db.url, [first]), (postgres_db.url, [twin])])
    _assert_one_winner(postgres_db, outcomes)


def test_postgres_many_connections_number_certificates_without_gaps_or_duplicates(postgres_db):
    numbers = _many_cases(postgres_db)
    jobs = [(postgres_db.url, numbers[i::WORKERS]) for i in range(WORKERS)]
    _assert_numbers_contiguous(postgres_db, _run_threads(record_worker, jobs))
