"""`registry-desk loadtest` (many windows on one database) and `registry-desk faulttest` (windows killed
mid-write): the proofs of issue #7, run on an empty local database of their own."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from registry_desk.commands import values
from registry_desk.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("loadtest", help="压力测试：多个窗口进程同时办理混合业务，之后核查不变量并报告吞吐")
    p.add_argument(
        "--windows",
        type=values.integer(1, 64),
        default=8,
        help="窗口进程数（PostgreSQL 建议 8，SQLite 建议 4）",
    )
    p.add_argument("--cases", type=values.integer(1, 1_000_000), default=2000, help="业务件数（默认 2000）")
    p.add_argument("--seed", type=values.integer(0, 2**31 - 1), default=1)
    p.add_argument(
        "--seal-every",
        type=values.integer(0, 1_000_000),
        default=10,
        help="每 N 份证书有 1 份走完整盖章打印（0 = 不盖章）",
    )
    p.add_argument(
        "--time-limit",
        type=values.integer(1, 7 * 24 * 3600),
        default=1800,
        help="时间上限（整秒），到时不再接新业务",
    )
    p.add_argument(
        "--database-url",
        dest="load_database_url",
        help="本机的空数据库（默认在数据目录下新建 SQLite 文件；绝不使用正式登记库）",
    )
    p.set_defaults(func=_loadtest)

    f = sub.add_parser("faulttest", help="故障测试：反复 kill -9 正在登簿和入账的窗口进程，之后核查不变量")
    f.add_argument("--kills", type=values.integer(1, 100_000), default=100, help="kill -9 次数（默认 100）")
    f.add_argument("--cases", type=values.integer(1, 100_000), default=40, help="待办业务件数（默认 40）")
    f.add_argument("--seed", type=values.integer(0, 2**31 - 1), default=11)
    f.add_argument("--database-url", dest="load_database_url", help="本机的空数据库（默认新建 SQLite 文件）")
    f.set_defaults(func=_faulttest)


def _run_dir(settings: Settings, kind: str) -> Path:
    # A directory of its own per run: its own channel, keys and (by default) database, never the register's.
    return Path(settings.data_dir) / kind / datetime.now().strftime("run-%Y%m%d-%H%M%S")


def _loadtest(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.demo.loadtest.runner import run_load
    from registry_desk.storage.database import check_url

    run_dir = _run_dir(settings, "loadtest")
    url = args.load_database_url or f"sqlite:///{run_dir}/register.sqlite3"
    check_url(url)  # before the windows start, not in each of them
    run_dir.mkdir(parents=True, exist_ok=True)
    report = run_load(
        url,
        run_dir,
        windows=args.windows,
        cases=args.cases,
        seed=args.seed,
        seal_every=args.seal_every,
        time_limit=args.time_limit,
    )
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _faulttest(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.demo.loadtest.faults import run_faults
    from registry_desk.storage.database import check_url

    run_dir = _run_dir(settings, "faulttest")
    url = args.load_database_url or f"sqlite:///{run_dir}/register.sqlite3"
    check_url(url)
    run_dir.mkdir(parents=True, exist_ok=True)
    report = run_faults(url, run_dir, kills=args.kills, cases_count=args.cases, seed=args.seed)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1
