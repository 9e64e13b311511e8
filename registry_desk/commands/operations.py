"""Operations commands: `check` (invariants), `backup`, `restore` and `dashboard` (statistics PDF)."""

from __future__ import annotations

import argparse
from pathlib import Path

from registry_desk.commands.inputs import input_file, read_start
from registry_desk.commands.output import check_output, sane_path, write_output
from registry_desk.commands import values
from registry_desk.config import Settings
from registry_desk.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="核查账簿、证号、登记簿与审计链的一致性，有问题时以非零状态退出")
    p.add_argument("--skip-audit", action="store_true", help="不逐条核验审计链（其余项目照常核查）")
    p.set_defaults(func=_check)

    p = sub.add_parser("backup", help="在线备份数据库（SQLite 用备份接口；PostgreSQL 显示 pg_dump 命令）")
    p.add_argument("--out", required=True, help="备份文件路径")
    p.set_defaults(func=_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库（先核验备份；目标库非空时须加 --force）")
    p.add_argument("file", help="备份文件路径")
    p.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")
    p.set_defaults(func=_restore)

    p = sub.add_parser("dashboard", help="生成统计看板 PDF（受理办结、时限、税费入库、自助打印）")
    p.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD（北京时间）")
    p.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）")
    p.add_argument("--out", required=True, help="输出 PDF 路径（不覆盖已有文件）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    p.set_defaults(func=_dashboard)


def _open(settings: Settings):
    from registry_desk.bootstrap import open_database

    return open_database(settings).db


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.operations.invariants import check_database

    from registry_desk.operations.audit_checkpoints import RULE_ANCHOR, compare, verify_and_checkpoint
    from registry_desk.operations.invariants import RULE_AUDIT

    db = _open(settings)
    try:
        report = check_database(db, audit_chain=not args.skip_audit)
        # The chain is compared with its signed checkpoints; its head is signed as the next one only when the
        # whole chain was just walked and held (never a head nobody verified).
        if args.skip_audit or RULE_AUDIT in report.rules_broken():
            anchor = compare(db, settings)
        else:
            anchor = verify_and_checkpoint(db, settings, walk=False)
    finally:
        db.dispose()
    report.checked.append(RULE_ANCHOR)
    for record, message in anchor.problems:
        report.add(RULE_ANCHOR, record, message)
    if anchor.unwritten:
        report.notes.append(anchor.unwritten)
    for note in report.notes:
        print(f"提示：{note}")
    if report.ok:
        print(f"核查通过：{len(report.checked)} 项规则均无问题（" + "；".join(report.checked) + "）。")
        return 0
    print(f"核查发现 {len(report.problems)} 个问题：")
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.operations import backup

    if not settings.is_sqlite:
        commands = backup.postgres_commands(settings.database_url, args.out)
        print("PostgreSQL 数据库请用服务器自带工具备份和恢复（密码经 PGPASSWORD 或 ~/.pgpass 提供）：")
        print(f"  备份：{commands['backup']}")
        print(f"  恢复：{commands['restore']}")
        print(f"  恢复后核验：{commands['verify']}")
        return 0
    from registry_desk.operations import audit_checkpoints

    # The source must be a SQLite file: anything else would end in a driver error half-way through the copy.
    # (backup_sqlite itself refuses an existing target.)
    out = Path(sane_path(args.out, "备份文件"))
    source = backup.sqlite_path(settings.database_url)
    if read_start(str(source), len(backup.SQLITE_MAGIC), what="数据库文件") != backup.SQLITE_MAGIC:
        raise ValidationError(f"{source} 不是 SQLite 数据库文件，无法备份", rule="备份", record=str(source))
    # The head is signed before the copy (after the events since the last checkpoint are verified), and every
    # checkpoint goes into the backup with it; a trail that does not verify is still backed up, and said so.
    db = _open(settings)
    try:
        anchor = audit_checkpoints.verify_and_checkpoint(db, settings)
    finally:
        db.dispose()
    for _record, message in anchor.problems:
        print(f"警告：{message}；备份照常进行，请运行 registry-desk check")
    if anchor.unwritten:
        print(f"警告：{anchor.unwritten}")
    files = audit_checkpoints.checkpoint_files(settings)
    result = backup.backup_sqlite(settings.database_url, out, checkpoints=files)
    print(result.describe() + f"；附签名审计检查点 {len(files)} 个")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.operations import backup

    if not settings.is_sqlite:
        commands = backup.postgres_commands(settings.database_url, args.file)
        print("PostgreSQL 数据库请用 pg_restore 恢复：")
        print(f"  {commands['restore']}")
        print(f"  恢复后核验：{commands['verify']}")
        return 0
    from registry_desk.operations.audit_checkpoints import bring_back, checkpoint_dir

    backup_file = input_file(args.file, what="备份文件")  # a FIFO or a device would hang the check below
    target = backup.sqlite_path(settings.database_url)
    if target.exists() and target.stat().st_size > 0:
        if read_start(str(target), len(backup.SQLITE_MAGIC), what="目标数据库") != backup.SQLITE_MAGIC:
            raise ValidationError(
                f"目标 {target} 不是 SQLite 数据库文件：恢复不会覆盖它", rule="恢复", record=str(target)
            )
    result = backup.restore_sqlite(backup_file, settings.database_url, force=args.force)
    print(result.describe())
    brought, retired = bring_back(settings, settings.database_url, result.checkpoints, result.head_seq)
    if brought:
        print(f"已从备份恢复签名审计检查点 {brought} 个到 {checkpoint_dir(settings)}。")
    if retired:
        print(
            f"注意：{retired} 个签名检查点记载的审计记录多于恢复后的第 {result.head_seq} 条，"
            "即备份之后的记录已随恢复丢失；这些检查点已移入 "
            f"{checkpoint_dir(settings)}/retired-*，不再参与核查。"
        )
    print("请运行 registry-desk audit verify 与 registry-desk check 核验恢复后的数据库。")
    return 0


def _dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.documents.dashboard_pdf import render_dashboard_pdf
    from registry_desk.domain.clock import local_date
    from registry_desk.kernel.context import SYSTEM, utc_now
    from registry_desk.operations.dashboard import build_dashboard

    start, end = values.parse_day(args.start, "开始日期 --from"), values.parse_day(args.end, "结束日期 --to")
    values.period(start, end, "统计看板")
    check_output(args.out, settings, force=args.force)
    db = _open(settings)
    try:
        now = utc_now()
        dashboard = build_dashboard(db, SYSTEM, start, end, today=local_date(now))
    finally:
        db.dispose()
    from registry_desk.domain.clock import CHINA_TZ

    pdf = render_dashboard_pdf(dashboard, generated_at=now.astimezone(CHINA_TZ))
    out = write_output(args.out, pdf, settings, force=args.force)
    print(
        f"统计看板已写入 {out}：受理 {dashboard.accepted_total} 件，登簿办结 {dashboard.completed_total} 件，"
        f"逾期 {len(dashboard.overdue)} 件，入国库 {dashboard.account_total('treasury')} 元，"
        f"入财政专户 {dashboard.account_total('fiscal')} 元"
    )
    return 0
