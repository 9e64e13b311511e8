"""The fault proof: a window process recording and settling in a loop is killed (SIGKILL) at random moments,
again and again; after the work is finished the register must be whole.

A kill can land anywhere: inside a transaction, between the channel's booking and ours, half-way through
writing a PDF. PostgreSQL rolls a dead connection's transaction back; SQLite's WAL discards an uncommitted
frame on the next open. What this proves is that our units of work are the only units: no case recorded
without its certificates, no number taken twice or skipped, no payment booked twice or lost.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import DomainError
from registry_desk.demo.loadtest.checks import CheckReport, check_register, counters
from registry_desk.demo.loadtest.plan import (
    build_request,
    make_plans,
    prepare_register,
    registrar,
    require_loopback,
)
from registry_desk.demo.loadtest.window import _Window
from registry_desk.domain.payment_orders import OPEN, SETTLED
from registry_desk.payments.receipts import ReceiptTools, produce_missing_receipt_documents
from registry_desk.registration import certificates, recording
from registry_desk.domain import clock
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import utc_now
from registry_desk.registration.issuing import centre_kit
from registry_desk.storage.database import Database
from registry_desk.storage.demo import loadtest as read
from registry_desk.storage.migrate import upgrade

UNPAID_EVERY = 8  # every 8th charged case is left unpaid: its orders must stay open, its case waiting


@dataclass
class FaultReport:
    backend: str
    kills: int
    cases: int
    seconds: float
    check: CheckReport
    problems: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.check.ok and not self.problems

    def lines(self) -> list[str]:
        lines = [
            (
                f"故障测试（{self.backend}）：登簿与入账进程被 kill -9 共 {self.kills} 次，{self.cases} 件业务，"
                f"用时 {self.seconds:.1f} 秒"
            ),
            "  " + "，".join(f"{k} {v}" for k, v in self.facts.items()),
            f"  检查：{'全部通过' if self.ok else '未通过'}（审计事件 {self.check.facts.get('audit_events', 0)} 条）",
        ]
        lines.extend(f"  ✗ {p}" for p in self.check.problems + self.problems)
        return lines


def setup(db: Database, settings: Settings, cases_count: int, *, seed: int = 3) -> None:
    """Cases accepted at a window, their orders issued; the payers pay all but every UNPAID_EVERY-th."""
    prepare_register(db, cases_count)
    desk = _Window(db, settings, 1, 0)
    charged = 0
    for plan in make_plans(db, cases_count, seed=seed):
        try:
            request = build_request(db, desk.clerk, plan, clock.local_date(utc_now()))
            summary = payment_flow.accept_and_bill(db, desk.clerk, request, desk.channel).summary
        except DomainError:
            continue
        if summary.status is CaseStatus.AWAITING_PAYMENT:
            charged += 1
            desk.issue_orders(summary.case_number, pay=charged % UNPAID_EVERY != 0)


def _work_once(desk: _Window, rng: random.Random) -> bool:
    """One step of a window's day, settlement or recording first at random so that kills land in both:
    book what the bank reports paid; take a case in review through 登簿, 缮证 and 发证 (or finish one a
    kill interrupted). False when nothing is left to do."""
    settle_first = rng.random() < 0.5
    if settle_first:
        _poll(desk)
    with desk.db.lookup() as conn:
        waiting = read.cases_in(
            conn, [CaseStatus.IN_REVIEW, CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY]
        )
    if waiting:
        number, status = rng.choice(waiting)
        try:
            if status is CaseStatus.IN_REVIEW:
                status = recording.record_case(desk.db, desk.registrar, number).status
            if status is CaseStatus.RECORDED:
                status = certificates.mark_certificate_ready(desk.db, desk.registrar, number).status
            if status is CaseStatus.CERTIFICATE_READY:
                certificates.issue_certificate(desk.db, desk.clerk, number, "领证人")
        except DomainError:
            pass  # another window got there first; the next step re-reads
    if not settle_first:
        return bool(_poll(desk).report.outcomes) or bool(waiting)
    return bool(waiting)


def _poll(desk: _Window) -> payment_flow.PollResult:
    # The window's whole timer step: settle, render the receipts unsealed (a seal would measure the signer),
    # and a few left behind by an earlier kill, so kills also land between settling and rendering.
    return payment_flow.poll_and_issue(desk.db, desk.channel, ReceiptTools(), backlog=2)


def window_forever(url: str, data_dir: str, seed: int) -> None:
    """The child the parent kills: works until killed, idling when nothing is left."""
    db = Database(url)
    desk = _Window(db, Settings(Path(data_dir), url), 2, 0)
    rng = random.Random(seed)
    while True:
        if not _work_once(desk, rng):
            time.sleep(0.02)


def finish(db: Database, settings: Settings) -> None:
    """After the kills: a healthy window finishes whatever is left."""
    desk = _Window(db, settings, 3, 0)
    rng = random.Random(0)
    while _work_once(desk, rng) or _work_once(desk, rng):
        pass  # twice: a step that settled first may find the case it freed only on the next
    # The next poll renders every receipt a kill left without its PDF; `check` reports any still missing.
    produce_missing_receipt_documents(db, ReceiptTools())


def _whole(db: Database, report: FaultReport) -> None:
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        statuses = read.case_statuses(s)
        by_case: dict[str, set[str]] = {}
        for number, status in read.order_statuses_of_cases(s):
            by_case.setdefault(number, set()).add(status)
        handed: dict[str, list[bool]] = {}
        for number, handed_over_at in read.certificate_handovers(s):
            handed.setdefault(number, []).append(handed_over_at is not None)
        receipts = read.receipt_numbers(s)
        open_orders = read.orders_in_status_count(s, OPEN)
        # Work the killed windows finished (window 2's registrar): proof the kills landed among real writes.
        under_fire = read.audit_events_count(s, "case.recorded", registrar(2).username)
    for number, status in statuses.items():
        paid = by_case.get(number)
        if paid is not None and paid != {SETTLED} and status is not CaseStatus.AWAITING_PAYMENT:
            report.problems.append(f"业务 {number} 未缴清却已是“{status.label}”")
        if paid == {SETTLED} and status is not CaseStatus.ISSUED:
            report.problems.append(f"业务 {number} 已缴清但停在“{status.label}”")
        if paid is None and status is not CaseStatus.ISSUED:
            report.problems.append(f"业务 {number}（免缴费）停在“{status.label}”")
        if status is CaseStatus.ISSUED and not all(handed.get(number, [])):
            report.problems.append(f"业务 {number} 已发证，但有证书未登记交付")
    if len(receipts) != len(set(receipts)):
        report.problems.append("电子票据号码重复")
    report.facts.update(
        {
            "已发证业务": sum(1 for st in statuses.values() if st is CaseStatus.ISSUED),
            "待缴费业务": sum(1 for st in statuses.values() if st is CaseStatus.AWAITING_PAYMENT),
            "未支付订单": open_orders,
            "电子票据": len(receipts),
            "被杀进程完成的登簿": under_fire,
        }
    )


def run_faults(
    url: str,
    data_dir: Path,
    *,
    kills: int = 100,
    cases_count: int = 40,
    seed: int = 11,
    delay: tuple[float, float] = (0.02, 0.6),
    say: Callable[[str], None] = print,
) -> FaultReport:
    """Prepares the cases, kills the working window `kills` times at random moments, finishes the work in a
    healthy window and checks the register."""
    require_loopback(url)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir, url)
    db = Database(url)
    try:
        upgrade(db.engine)
        say("准备登记簿与待办业务…")
        centre_kit(settings)
        setup(db, settings, cases_count)
        before = counters(db)
        # forkserver: children fork from a server that has imported everything already, so a kill can land
        # within milliseconds of a start, and none inherits this process's open connections.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["registry_desk.demo.loadtest.faults", *read.DRIVER_MODULES])
        rng = random.Random(seed)
        started = time.perf_counter()
        say(f"开始 kill -9 {kills} 次…")
        for attempt in range(kills):
            child = context.Process(target=window_forever, args=(url, str(data_dir), attempt))
            child.start()
            child.join(timeout=rng.uniform(*delay))
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)
            child.join()
            if child.exitcode != -signal.SIGKILL:
                raise RuntimeError(f"the window process ended by itself (exit code {child.exitcode})")
        finish(db, settings)
        seconds = time.perf_counter() - started
        report = FaultReport(
            "SQLite" if db.is_sqlite else "PostgreSQL",
            kills,
            cases_count,
            seconds,
            check_register(db, before),
        )
        _whole(db, report)
        return report
    finally:
        db.dispose()
