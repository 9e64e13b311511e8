"""What must hold after a load or fault run, checked from the database as an auditor would."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from registry_desk.domain.codes import CaseStatus
from registry_desk.kernel.audit import verify_chain
from registry_desk.operations.invariants import RULE_RECEIPT_PDF, check_database
from registry_desk.storage.database import Database
from registry_desk.storage.demo import loadtest as read
from registry_desk.storage.session import Session


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def counters(db: Database) -> dict[str, int]:
    """The number counters before a run: what the run takes must follow on without a gap."""
    with db.lookup() as conn:
        return read.counter_values(conn)


def check_register(
    db: Database, counters_before: dict[str, int] | None = None, *, receipts_rendered: bool = True
) -> CheckReport:
    """The invariants of the hall: the audit chain intact; every certificate and case number used once and,
    past `counters_before`, without gaps; one current ownership per unit and at most one unfinished case;
    every paid order settled exactly once and every ledger entry balanced."""
    report = CheckReport()
    chain = verify_chain(db)
    report.facts["audit_events"] = chain.events
    if not chain.ok:
        report.problems.append(f"审计链断裂：{chain.problem}")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        if db.is_sqlite:
            integrity = read.sqlite_integrity(s)
            if integrity != "ok":
                report.problems.append(f"SQLite 完整性检查失败：{integrity}")
        _numbers(s, report, counters_before or {})
        _register(s, report)
        _payments(s, report)
    report.problems.extend(_hall_invariants(db, report, receipts_rendered))
    return report


def _numbers(s: Session, report: CheckReport, before: dict[str, int]) -> None:
    now = read.counter_values(s)
    seqs: dict[str, list[int]] = defaultdict(list)
    for kind, year, seq in read.certificate_numbers(s):
        seqs[f"cert:{kind.value}:{year}"].append(seq)
    for number in read.case_numbers(s):
        seqs[f"case:{number[:8]}"].append(int(number[8:]))
    for name, values in seqs.items():
        dupes = [v for v, n in Counter(values).items() if n > 1]
        if dupes:
            report.problems.append(f"编号重复：{name} 的序号 {dupes[:5]} 被使用多次")
        start = before.get(name, 0)
        taken = sorted(v for v in values if v > start)
        expected = list(range(start + 1, now.get(name, 0) + 1))
        if taken != expected:
            missing = sorted(set(expected) - set(taken))[:5]
            report.problems.append(
                f"编号不连续：{name} 自 {start + 1} 起缺号 {missing}（计数器 {now.get(name, 0)}）"
            )
        report.facts[f"numbers:{name}"] = len(taken)


def _register(s: Session, report: CheckReport) -> None:
    owners = read.units_with_several_ownerships(s)
    if owners:
        report.problems.append(f"{len(owners)} 个单元有多于一项现势所有权，例如单元 id {owners[0][0]}")
    open_statuses = [st for st in CaseStatus if st.is_open]
    busy = read.units_with_several_cases_in(s, open_statuses)
    if busy:
        report.problems.append(f"{len(busy)} 个单元同时有多件未办结业务，例如单元 id {busy[0][0]}")
    report.facts["cases"] = read.case_count(s)


def _payments(s: Session, report: CheckReport) -> None:
    twice = read.orders_settled_more_than_once(s)
    if twice:
        report.problems.append(f"{len(twice)} 张缴款单被入账多次，例如订单 id {twice[0][0]}")
    booked = read.orders_with_payment_outcome(s, "settled")
    entered = read.orders_with_entry_kind(s, "settlement")
    settled = read.orders_in_status(s, ["settled", "refunded"])
    if not (settled == entered == booked):
        report.problems.append(
            f"入账不一致：已缴清 {len(settled)} 张，记账 {len(entered)} 张，渠道流水入账 {len(booked)} 张"
        )
    report.facts["orders_settled"] = len(settled)
    per_entry: dict[int, int] = defaultdict(int)
    for entry_id, debit, credit in read.postings(s):
        per_entry[entry_id] += debit.fen - credit.fen
    unbalanced = [k for k, v in per_entry.items() if v]
    if unbalanced:
        report.problems.append(f"{len(unbalanced)} 笔记账分录借贷不平，例如分录 {unbalanced[0]}")


def _hall_invariants(db: Database, report: CheckReport, receipts_rendered: bool) -> list[str]:
    """The register's own invariants service (`registry-desk check`): books against orders, payments and
    receipts, accounts against the credited lines, settled-once, certificate numbering, rights traced to
    cases, one owner per unit, shares. Its audit walk is skipped: ours above already walked the chain.

    A load run renders the receipts of one paid case in `seal_every` only (rendering the rest would measure
    the PDF library, not the hall), so there receipts without a PDF are counted as a fact, not a problem."""
    problems = check_database(db, audit_chain=False).problems
    if not receipts_rendered:
        skipped = [p for p in problems if p.rule == RULE_RECEIPT_PDF]
        report.facts["receipts_left_unrendered"] = len(skipped)
        problems = [p for p in problems if p.rule != RULE_RECEIPT_PDF]
    return [f"不变量检查：{p}" for p in problems]
