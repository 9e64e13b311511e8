"""A load run: N window processes take the day's mixed cases through the hall, then the auditor's checks."""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus
from registry_desk.demo.loadtest.checks import CheckReport, check_register, counters
from registry_desk.demo.loadtest.plan import make_plans, prepare_register, require_loopback
from registry_desk.demo.loadtest.window import ERROR, ISSUED, NOT_STARTED, REFUSED, Outcome, window_main
from registry_desk.registration.issuing import centre_kit
from registry_desk.storage.database import Database
from registry_desk.storage.demo import loadtest as read
from registry_desk.storage.migrate import upgrade

DEFAULT_SEAL_EVERY = 10


@dataclass
class LoadReport:
    backend: str
    windows: int
    cases: int
    units: int
    seconds: float  # from the windows' first case to the last one finished
    outcomes: list[Outcome]
    check: CheckReport
    accounting: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok and not self.accounting

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    def lines(self) -> list[str]:
        per_minute = 60 * len(self.outcomes) / self.seconds if self.seconds else 0.0
        times = sorted(o.seconds for o in self.outcomes if o.result == ISSUED)
        lines = [
            f"压力测试（{self.backend}，{self.windows} 个窗口进程，{self.cases} 件业务，登记簿 {self.units} 个模拟单元）",
            (
                f"  办结发证 {self.count(ISSUED)} 件，退回（附理由）{self.count(REFUSED)} 件，"
                f"程序错误 {self.count(ERROR)} 件，超时未办 {self.count(NOT_STARTED)} 件"
            ),
            f"  用时 {self.seconds:.1f} 秒，吞吐 {per_minute:.0f} 件/分钟",
        ]
        if times:
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            lines.append(
                f"  单件全流程（受理→缴费→登簿→缮证→发证）中位 {statistics.median(times):.2f} 秒，95% {p95:.2f} 秒"
            )
        kinds = Counter((o.business_type, o.result) for o in self.outcomes)
        lines.append("  按业务：" + "，".join(f"{k}/{r} {n}" for (k, r), n in sorted(kinds.items())))
        lines.append(f"  盖章抽样：{sum(o.sealed for o in self.outcomes)} 份证书经完整打印服务盖章")
        reasons = Counter(o.reason.split("（依据")[0][:60] for o in self.outcomes if o.result == REFUSED)
        for reason, n in reasons.most_common(5):
            lines.append(f"  退回理由 ×{n}：{reason}")
        for o in self.outcomes:
            if o.result == ERROR:
                lines.append(f"  程序错误（第 {o.index} 件，{o.stage}）：{o.reason.strip().splitlines()[-1]}")
                break
        lines.append(
            f"  检查：{'全部通过' if self.ok else '未通过'}（审计事件 {self.check.facts.get('audit_events', 0)} 条）"
        )
        lines.extend(f"  ✗ {p}" for p in self.check.problems + self.accounting)
        return lines


def _accounting(db: Database, plans_count: int, outcomes: list[Outcome]) -> list[str]:
    """Nothing lost: one outcome per planned case, each issued case issued in the register, each refused
    one closed with its reason, and no case in the register that no window reported."""
    problems = []
    indexes = Counter(o.index for o in outcomes)
    if sorted(indexes) != list(range(plans_count)) or any(n != 1 for n in indexes.values()):
        problems.append(f"业务去向不全：计划 {plans_count} 件，报告 {len(indexes)} 件")
    for o in outcomes:
        if o.result in (ERROR, NOT_STARTED):
            problems.append(f"第 {o.index} 件未办结（{o.result}，{o.stage}）")
    with db.unit_of_work(write=False) as uow:
        stored = {number: status for number, status in read.intake_cases(uow.session)}
    reported = {o.case_number: o for o in outcomes if o.case_number}
    for number, o in reported.items():
        status = stored.get(number)
        if o.result == ISSUED and status is not CaseStatus.ISSUED:
            problems.append(f"业务 {number} 报告已发证，登记库中为“{status.label if status else '不存在'}”")
        if o.result == REFUSED and status is not None and status.is_open:
            problems.append(f"业务 {number} 被退回却仍未办结（{status.label}）")
    unreported = set(stored) - set(reported)
    if unreported:
        problems.append(f"登记库中有 {len(unreported)} 件业务没有任何窗口报告，例如 {min(unreported)}")
    return problems


def run_load(
    url: str,
    data_dir: Path,
    *,
    windows: int,
    cases: int,
    seed: int = 1,
    seal_every: int = DEFAULT_SEAL_EVERY,
    time_limit: float = 1800.0,
    say: Callable[[str], None] = print,
) -> LoadReport:
    """Prepares an empty database (demo + synthetic register), runs `cases` cases over `windows` processes
    and checks the result. Bounded: windows stop taking cases after `time_limit` seconds."""
    require_loopback(url)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    try:
        upgrade(db.engine)
        say("准备登记簿（演示数据 + 模拟单元）…")
        units = prepare_register(db, cases)
        plans = make_plans(db, cases, seed=seed)
        centre_kit(Settings(data_dir, url))  # the demo PKI, made once before the windows share it
        before = counters(db)
        say(f"{windows} 个窗口开始办理 {cases} 件业务…")
        deadline = time.time() + time_limit
        chunks = [plans[i::windows] for i in range(windows)]
        with multiprocessing.get_context("spawn").Pool(windows) as pool:
            results = pool.starmap(
                window_main,
                [(url, str(data_dir), n + 1, chunk, seal_every, deadline) for n, chunk in enumerate(chunks)],
            )
        outcomes = sorted((o for _, _, done in results for o in done), key=lambda o: o.index)
        seconds = max(end for _, end, _ in results) - min(start for start, _, _ in results)
        check = check_register(db, before, receipts_rendered=False)
        report = LoadReport(
            "SQLite" if db.is_sqlite else "PostgreSQL", windows, cases, units, seconds, outcomes, check
        )
        report.accounting = _accounting(db, len(plans), outcomes)
        return report
    finally:
        db.dispose()
