"""`registry-desk generate` (a large synthetic register) and `registry-desk bench` (the project's benchmark)."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from registry_desk.commands import values
from registry_desk.config import Settings

# Each module has `figures(ctx: BenchContext) -> list[Figure]`; later issues add theirs here.
FIGURE_MODULES = [
    "registry_desk.demo.benchmarks.register_figures",
    "registry_desk.demo.benchmarks.case_figures",
    "registry_desk.demo.benchmarks.exemption_figures",
    "registry_desk.demo.benchmarks.kiosk_figures",
    "registry_desk.demo.benchmarks.payment_figures",
]


def _figure_arguments() -> dict[str, dict[str, object]]:
    """What a figure module needs from a layer above the demo's, handed in by name: the kiosk's print is
    measured through its --print-to output, which lives in the ui beside the Qt printer."""
    from registry_desk.ui.kiosk.printing import DirectoryOutput

    return {"registry_desk.demo.benchmarks.kiosk_figures": {"output": DirectoryOutput}}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="生成大规模模拟登记簿（用于性能测试）")
    p.add_argument("--units", type=values.integer(1, 50_000_000), required=True, help="单元数，例如 1000000")
    p.add_argument("--seed", type=values.integer(0, 2**31 - 1), default=1)
    p.set_defaults(func=_generate)

    p = sub.add_parser("bench", help="性能基准：各项指标与同次运行中测得的基线之比")
    p.add_argument(
        "--units",
        type=values.integer(1, 50_000_000),
        default=1_000_000,
        help="模拟登记簿规模（默认 1000000）",
    )
    p.add_argument("--repeat", type=values.integer(1, 1_000_000), default=200, help="每项重复次数")
    p.add_argument("--only", action="append", default=[], help="只运行名称含此文字的指标（可重复）")
    p.add_argument("--out", help="把 Markdown 表格另存到此文件（不覆盖已有文件）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    p.add_argument("--bench-dir", help="基准数据目录（默认 数据目录/bench）")
    p.set_defaults(func=_bench)


def _progress(done: int, total: int) -> None:
    print(f"\r  {done:,}/{total:,} 单元", end="", file=sys.stderr, flush=True)


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.demo import synthetic
    from registry_desk.bootstrap import open_database

    opened = open_database(settings, demo=True)  # synthetic units are demo data: a new register is a demo
    t0 = time.perf_counter()
    synthetic.generate(opened.db, args.units, seed=args.seed, progress=_progress)
    print(f"\n已生成 {args.units:,} 个单元，用时 {time.perf_counter() - t0:.1f} 秒：{opened.db!r}")
    opened.db.dispose()
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk import config
    from registry_desk.demo.benchmarks import register_figures
    from registry_desk.demo.benchmarks.context import BenchContext
    from registry_desk.demo.benchmarks.runner import measure, table
    from registry_desk.demo import synthetic
    from registry_desk.kernel.context import SYSTEM
    from registry_desk.storage import migrate
    from registry_desk.storage.database import Database
    from registry_desk.storage.demo.figures import unit_total

    if args.out:  # before the run, not after half an hour of it
        from registry_desk.commands.output import check_output

        check_output(args.out, settings, force=args.force)
    bench_dir = Path(args.bench_dir) if args.bench_dir else settings.data_dir / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    url = (
        settings.database_url
        if settings.database_url and not settings.is_sqlite and args.bench_dir is None
        else f"sqlite:///{bench_dir / f'register-{args.units}.sqlite3'}"
    )
    db = Database(url)
    db.check_connection()
    migrate.upgrade(db.engine)
    have = unit_total(db)
    if have != args.units:
        if have:
            print(
                f"基准库已有 {have:,} 个单元，与 --units {args.units:,} 不符；请换 --bench-dir 或删除旧库",
                file=sys.stderr,
            )
            return 2
        print(f"生成 {args.units:,} 个单元的模拟登记簿（只需一次）…", file=sys.stderr)
        t0 = time.perf_counter()
        synthetic.generate(db, args.units, progress=_progress)
        print(f"\n  用时 {time.perf_counter() - t0:.1f} 秒", file=sys.stderr)
    scratch = config.resolve(url, bench_dir / "scratch")
    scratch.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = BenchContext(db, scratch, SYSTEM, bench_dir, args.units, args.repeat)

    figures = []
    arguments = _figure_arguments()
    for name in FIGURE_MODULES:
        figures.extend(importlib.import_module(name).figures(ctx, **arguments.get(name, {})))
    if args.only:
        figures = [f for f in figures if any(o in f.name for o in args.only)]
    results = []
    for fig in figures:
        print(f"测量：{fig.name} …", file=sys.stderr, flush=True)
        results.append(measure(fig))
    _ = register_figures  # the issue-2 module is always importable
    text = table(results, context=f"Register: {args.units:,} generated units on {db.engine.dialect.name}.")
    print(text)
    if args.out:
        from registry_desk.commands.output import write_output

        write_output(args.out, text.encode("utf-8"), settings, force=args.force)
    db.dispose()
    return 0
