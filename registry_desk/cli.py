"""The command line: `registry-desk [global options] COMMAND ...`; no command opens the clerk window."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from registry_desk import config
from registry_desk.domain.errors import DomainError

# Each module has `register(subparsers)`, which adds its parser(s) and sets `func(args, settings) -> int`.
COMMAND_MODULES = [
    "registry_desk.commands.app_commands",
    "registry_desk.commands.admin",
    "registry_desk.commands.bench",
    "registry_desk.commands.seal",
    "registry_desk.commands.quote",
    "registry_desk.commands.documents",
    "registry_desk.commands.payments",
    "registry_desk.commands.kiosk",
    "registry_desk.commands.operations",
    "registry_desk.commands.loadtest",
]


# What the last-resort handler prints: the fuzz test proves no hostile input ends there.
INTERNAL_ERROR_MARK = "程序内部错误"


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse, refusing a bad command line with a Chinese message (exit 2, as argparse does); subparsers
    inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：命令行参数有误（{self.prog}）：{message}。用 -h 查看用法\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="registry-desk",
        description="不动产登记一窗受理 — 中卫市 (registry-desk)",
    )
    parser.add_argument(
        "--database-url",
        help=f"数据库地址，例如 postgresql+psycopg://user@host/db（环境变量 {config.ENV_DATABASE_URL}）",
    )
    parser.add_argument("--data-dir", help=f"数据目录（环境变量 {config.ENV_DATA_DIR}）")
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None, help="界面语言 / UI language")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _window_only(argv: Sequence[str]) -> tuple[argparse.Namespace, bool] | None:
    """The clerk window's own arguments, parsed without importing every command module: opening the
    window is what a clerk does every morning, and the other commands' imports would delay it."""
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument("--database-url")
    base.add_argument("--data-dir")
    base.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    try:
        known, rest = base.parse_known_args(list(argv))
    except SystemExit:
        return None
    if not rest:
        return known, True
    if rest[0] == "gui" and rest[1:] in ([], ["--no-demo"]):
        return known, "--no-demo" not in rest
    return None


def main(argv: Sequence[str] | None = None) -> int:
    window = _window_only(sys.argv[1:] if argv is None else argv)
    if window is not None:
        known, demo = window
        from registry_desk import app

        return app.run_gui(config.resolve(known.database_url, known.data_dir, known.lang), demo=demo)
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = config.resolve(args.database_url, args.data_dir, args.lang)
    func = getattr(args, "func", None)
    if func is None:
        from registry_desk import app

        return app.run_gui(settings, demo=True)
    try:
        config.check_data_dir(settings.data_dir)
        from registry_desk.storage.database import check_url

        # Before anything connects: a malformed URL gets a clear refusal, not a driver's traceback.
        check_url(settings.database_url)
        return int(func(args, settings) or 0)
    except DomainError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the operator stopped it; every command saves all or nothing
        print("已中断：本次操作未完成的部分没有保存", file=sys.stderr)
        return 130
    except Exception as exc:
        # Imported here, not at start-up: the window's cold start does not load SQLAlchemy first.
        from registry_desk.storage.database import first_line
        from registry_desk.storage.session import DBAPIError

        if not isinstance(exc, DBAPIError):
            # Last resort, never reached by bad input (tests/unit/commands/test_cli_fuzz.py): a Chinese line
            # and exit 1 instead of a traceback; REGISTRY_DESK_DEBUG=1 shows the traceback for a bug report.
            if os.environ.get("REGISTRY_DESK_DEBUG"):
                raise
            print(
                f"错误：{INTERNAL_ERROR_MARK}（{type(exc).__name__}：{str(exc)[:300]}）；"
                "本次操作未完成。请把所用命令报告给维护人员（设 REGISTRY_DESK_DEBUG=1 可看到详情）",
                file=sys.stderr,
            )
            return 1
        # A damaged file, a server gone, a broken constraint: said in Chinese, naming the database.
        print(
            f"错误：数据库 {config.redact_url(settings.database_url)} 出错：{first_line(exc)}；"
            "本次操作未保存任何内容。数据库文件损坏时请运行 registry-desk check，并从备份恢复",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
