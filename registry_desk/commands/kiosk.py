"""`registry-desk kiosk` (self-service kiosk mode) and `registry-desk paper …` (blank certificate paper stock)."""

from __future__ import annotations

import argparse
from pathlib import Path

from registry_desk.commands import values
from registry_desk.commands.inputs import read_password
from registry_desk.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kiosk", help="自助打证机模式：全屏、置顶，仅管理员可退出")
    p.add_argument("--print-to", help="不送打印机，把证书与查询结果 PDF 写入此目录")
    p.add_argument("--printer", help="打印机名称（默认系统默认打印机）")
    p.add_argument(
        "--user",
        help="自助终端账户（默认演示账户 kiosk1；密码取自环境变量 REGISTRY_DESK_KIOSK_PASSWORD 或提示输入）",
    )
    p.add_argument("--no-demo", action="store_true", help="新数据库不载入演示数据，不显示模拟扫码支付")
    p.add_argument(
        "--idle-seconds",
        type=values.integer(10, 24 * 3600),
        default=60,
        help="无操作多少秒后清屏回到首页（默认 60）",
    )
    p.add_argument(
        "--max-failures",
        type=values.integer(1, 100),
        default=5,
        help="身份核验连续失败多少次锁定该业务（默认 5）",
    )
    p.add_argument(
        "--lock-minutes", type=values.integer(1, 7 * 24 * 60), default=30, help="锁定多少分钟（默认 30）"
    )
    p.set_defaults(func=_kiosk)

    paper = sub.add_parser("paper", help="空白证书纸印刷序列号：载入号段、查看库存")
    actions = paper.add_subparsers(dest="paper_command", metavar="操作", required=True)
    load = actions.add_parser("load", help="载入一段印刷序列号（管理员）")
    load.add_argument("--from", dest="first", required=True, help="起始序列号，例如 NX2026000001")
    load.add_argument("--to", dest="last", required=True, help="终止序列号，例如 NX2026000500")
    load.add_argument("--note", help="备注（如入库单号）")
    load.add_argument("--user", help="管理员账户（默认演示账户 admin）")
    load.set_defaults(func=_load)
    status = actions.add_parser("status", help="各号段的已用、作废、剩余张数")
    status.set_defaults(func=_status)
    threshold = actions.add_parser("threshold", help="设置库存预警线（管理员）")
    threshold.add_argument("count", type=values.integer(0, 10_000_000))
    threshold.add_argument("--user", help="管理员账户（默认演示账户 admin）")
    threshold.set_defaults(func=_threshold)


def _kiosk(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.kiosk.identify import KioskPolicy
    from registry_desk.ui.kiosk.launch import run_kiosk

    policy = KioskPolicy(
        max_failures=args.max_failures, lock_minutes=args.lock_minutes, idle_seconds=args.idle_seconds
    )
    return run_kiosk(
        settings,
        user=args.user,
        print_to=Path(args.print_to) if args.print_to else None,
        printer=args.printer,
        demo=not args.no_demo,
        policy=policy,
    )


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from registry_desk.bootstrap import open_database

    return open_database(settings).db


def _admin(db, settings: Settings, user: str | None):  # type: ignore[no-untyped-def]
    """Signs the administrator in: the demo admin from the data dir's accounts file, or a password prompt."""
    from registry_desk.operations import users
    from registry_desk.demo.demo_accounts import read_demo_accounts

    username = user or "admin"
    password = read_demo_accounts(settings.data_dir).get(username) if user is None else None
    if password is None:
        password = read_password(f"管理员 {username} 的密码：")
    return users.login(db, username, password)


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.kiosk import paper_stock

    db = _open(settings)
    try:
        line = paper_stock.load_range(
            db, _admin(db, settings, args.user), args.first, args.last, note=args.note
        )
    finally:
        db.dispose()
    print(f"已载入号段 {line.first_serial}—{line.last_serial}，共 {line.total} 张")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.kiosk import paper_stock
    from registry_desk.kernel.context import SYSTEM

    db = _open(settings)
    try:
        stock = paper_stock.stock_status(db, SYSTEM)
    finally:
        db.dispose()
    if not stock.ranges:
        print("尚未载入任何空白证书纸号段")
    for r in stock.ranges:
        print(
            f"{r.first_serial}—{r.last_serial}：共 {r.total} 张，已用 {r.used}，作废 {r.spoiled}，打印中 {r.printing}，剩余 {r.free}"
        )
    print(
        f"合计：已用 {stock.used}，作废 {stock.spoiled}，剩余 {stock.free}（预警线 {stock.threshold}）"
        + (f"；下一张 {stock.next_serial}" if stock.next_serial else "")
    )
    if stock.warning():
        print(f"警告：{stock.warning()}")
    return 1 if stock.free == 0 else 0


def _threshold(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.kiosk import paper_stock

    db = _open(settings)
    try:
        paper_stock.set_low_stock_threshold(db, _admin(db, settings, args.user), args.count)
    finally:
        db.dispose()
    print(f"库存预警线已设为 {args.count} 张")
    return 0
