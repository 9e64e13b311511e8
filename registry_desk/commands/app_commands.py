"""`registry-desk gui`: the clerk window (also the default when no command is given)."""

from __future__ import annotations

import argparse

from registry_desk.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="打开窗口受理界面（默认）")
    p.add_argument("--no-demo", action="store_true", help="新数据库不载入演示数据")
    p.set_defaults(func=_gui)


def _gui(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk import app

    return app.run_gui(settings, demo=not args.no_demo)
