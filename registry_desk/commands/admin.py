"""Administration commands: `init`, `audit verify`, `user add`."""

from __future__ import annotations

import argparse

from registry_desk.commands.inputs import read_password
from registry_desk.config import Settings
from registry_desk.domain.codes import Role


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="创建或升级数据库；新库默认为演示库并载入中卫市演示数据")
    p.add_argument(
        "--no-demo", action="store_true", help="新库为生产登记簿：永不载入演示数据与演示账户（建库时确定）"
    )
    p.set_defaults(func=_init)

    p = sub.add_parser("audit", help="审计留痕")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    v = audit_sub.add_parser("verify", help="逐条核验审计链，指出第一条被改动或缺失的记录")
    v.set_defaults(func=_audit_verify)

    p = sub.add_parser("user", help="账户管理")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    a = user_sub.add_parser(
        "add",
        help="新增账户（密码从终端读取）；已有账户时须由管理员登录（--admin），空库的首个账户须为管理员",
    )
    a.add_argument("username")
    a.add_argument("--admin", help="办理此事的管理员用户名（其密码从终端读取）")
    a.add_argument("--name", required=True, help="显示名称")
    a.add_argument("--role", required=True, choices=[r.value for r in Role])
    a.add_argument("--window", help="窗口号")
    a.set_defaults(func=_user_add)
    u = user_sub.add_parser("unlock", help="解除因连续登录失败而锁定的用户名（须由管理员登录，--admin）")
    u.add_argument("username")
    u.add_argument("--admin", required=True, help="办理此事的管理员用户名（其密码从终端读取）")
    u.set_defaults(func=_user_unlock)


def _init(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.bootstrap import open_database
    from registry_desk.demo.seed import seed_demo
    from registry_desk.storage import migrate

    result = open_database(settings, seed=None if args.no_demo else seed_demo, demo=not args.no_demo)
    print(f"数据库已就绪（结构版本 {migrate.current_revision(result.db.engine)}）：{result.db!r}")
    print(f"数据目录：{settings.data_dir}")
    if result.demo:
        print("本库为演示库（建库时确定，不可更改）。")
    else:
        print("本库为生产登记簿（建库时确定，不可更改）：不载入演示数据，不创建演示账户。")
        if result.accounts == 0:
            print(
                "尚无账户：首次启动窗口时将要求设置首个管理员，"
                "或运行 registry-desk user add <用户名> --name <姓名> --role admin"
            )
    if result.demo_loaded:
        print("已载入中卫市演示数据。")
    if result.demo_accounts:
        print(f"演示账户及随机密码已写入 {settings.data_dir / 'demo-accounts.txt'}：")
        for user, pw in result.demo_accounts.items():
            print(f"  {user}\t{pw}")
    result.db.dispose()
    return 0


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.kernel.audit import verify_chain
    from registry_desk.bootstrap import open_database

    from registry_desk.operations.audit_checkpoints import verify_and_checkpoint

    result = open_database(settings)
    try:
        report = verify_chain(result.db)
        # The chain was just walked: compare it with its signed checkpoints, and sign its head when both hold.
        anchor = verify_and_checkpoint(result.db, settings, walk=False) if report.ok else None
    finally:
        result.db.dispose()
    if not report.ok:
        print(f"审计链异常：{report.problem}")
        return 1
    assert anchor is not None
    if not anchor.ok:
        for _record, message in anchor.problems:
            print(f"审计链异常：{message}")
        return 1
    if anchor.unwritten:
        print(f"提示：{anchor.unwritten}")
    newest = anchor.written or anchor.newest
    anchored = f"，与签名检查点 {newest.path.name}（第 {newest.seq} 条）一致" if newest is not None else ""
    print(f"审计链完整：共 {report.events} 条记录，逐条核验通过{anchored}。")
    return 0


def _user_add(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.bootstrap import open_database
    from registry_desk.domain.errors import PermissionDenied
    from registry_desk.operations.users import (
        add_account_signed_in,
        create_first_administrator,
        user_count,
    )

    role = Role(args.role)
    result = open_database(settings)
    try:
        first = user_count(result.db) == 0
        if not first and not args.admin:
            raise PermissionDenied(
                "数据库已有账户：新增账户须由管理员登录，请用 --admin 给出管理员用户名",
                rule="账户管理：新增账户须由管理员办理",
            )
        if first and role is not Role.ADMIN:
            raise PermissionDenied(
                "空数据库的首个账户须为管理员（--role admin）", rule="账户管理：仅空库的首个管理员无须登录"
            )
        admin_password = None if first else read_password(f"管理员 {args.admin} 的密码：")
        password = read_password("新账户的密码：")
        if read_password("再次输入新账户的密码：") != password:
            print("两次输入的密码不一致")
            return 2
        if first:
            actor = create_first_administrator(result.db, args.username, args.name, password)
        else:
            assert admin_password is not None
            actor = add_account_signed_in(
                result.db,
                args.admin,
                admin_password,
                args.username,
                args.name,
                role,
                password,
                window=args.window,
            )
    finally:
        result.db.dispose()
    print(f"已创建账户 {actor.username}（{actor.role.label}）")
    return 0


def _user_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.bootstrap import open_database
    from registry_desk.domain.clock import local_time
    from registry_desk.operations.users import unlock_sign_in

    result = open_database(settings)
    try:
        admin_password = read_password(f"管理员 {args.admin} 的密码：")
        ended = unlock_sign_in(result.db, args.admin, admin_password, args.username)
    finally:
        result.db.dispose()
    print(f"已解除用户名 {args.username.strip()} 的登录锁定（原定 {local_time(ended):%Y-%m-%d %H:%M} 解除）")
    return 0
