"""`registry-desk print certificate|receipt` and
`registry-desk ecert list|show|export|import|publish-pending|seed-demo`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from registry_desk.commands.inputs import read_pdf
from registry_desk.commands.output import check_output, write_output
from registry_desk.commands import values
from registry_desk.config import Settings
from registry_desk.domain.codes import CertificateStatus

_STATUS_CHOICES = {"current": CertificateStatus.CURRENT, "cancelled": CertificateStatus.CANCELLED}


def register(sub: argparse._SubParsersAction) -> None:
    printing = sub.add_parser(
        "print", help="打印（输出 PDF）：不动产权证书、登记证明、受理凭证，均加盖电子签章"
    )
    what = printing.add_subparsers(dest="print_command", metavar="文书", required=True)

    cert = what.add_parser("certificate", help="按证号打印已登簿的不动产权证书或不动产登记证明（可补打）")
    cert.add_argument("number", help="证号，如 宁(2026)中卫市不动产权第0000001号（全角、半角括号均可）")
    cert.add_argument("--out", required=True, help="输出的 PDF 文件（不覆盖已有文件）")
    cert.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    cert.set_defaults(func=_print_certificate)

    receipt = what.add_parser("receipt", help="按业务号打印受理凭证")
    receipt.add_argument("case_number", help="业务号")
    receipt.add_argument("--out", required=True, help="输出的 PDF 文件（不覆盖已有文件）")
    receipt.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    receipt.set_defaults(func=_print_receipt)

    ecert = sub.add_parser("ecert", help="电子证照库：查询、查看、导出、导入电子证照")
    actions = ecert.add_subparsers(dest="ecert_command", metavar="操作", required=True)

    listing = actions.add_parser("list", help="列出电子证照（可按持证人证件号、单元号、证号、状态筛选）")
    listing.add_argument("--holder", metavar="证件号", help="持证人（或共有人）的证件号码")
    listing.add_argument("--unit", metavar="单元号", help="不动产单元号")
    listing.add_argument("--number", metavar="证号", help="证号")
    listing.add_argument("--status", choices=sorted(_STATUS_CHOICES), help="current 现势 / cancelled 注销")
    listing.set_defaults(func=_ecert_list)

    show = actions.add_parser("show", help="查看一本电子证照的信息，并核验其文件和签章")
    show.add_argument("ecert_id", help="电子证照标识")
    show.set_defaults(func=_ecert_show)

    export = actions.add_parser("export", help="导出电子证照的签章 PDF")
    export.add_argument("ecert_id", help="电子证照标识")
    export.add_argument("--out", required=True, help="输出的 PDF 文件（不覆盖已有文件）")
    export.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    export.set_defaults(func=_ecert_export)

    imp = actions.add_parser(
        "import", help="导入本中心签发的证书 PDF（先核验签章和验真码，拒绝被改动或外来的文件）"
    )
    imp.add_argument("file", help="证书 PDF")
    imp.set_defaults(func=_ecert_import)

    pending = actions.add_parser(
        "publish-pending",
        help="补发已登簿但电子证照未签发完成的业务（签发失败或签发前中断）；登簿人员的窗口打开时也会自动补发",
    )
    pending.add_argument("--limit", type=values.integer(1, 10_000_000), help="最多处理多少件（默认全部）")
    pending.add_argument("--dry-run", action="store_true", help="只列出待补发的业务，不签发")
    pending.set_defaults(func=_ecert_publish_pending)

    seed = actions.add_parser("seed-demo", help="为演示登记簿中抵押和预售单元的现势证书签发电子证照")
    seed.add_argument("--limit", type=values.integer(1, 10_000_000), help="最多签发多少本（默认全部）")
    seed.set_defaults(func=_ecert_seed_demo)


def _write(args: argparse.Namespace, settings: Settings, data: bytes) -> Path:
    return write_output(args.out, data, settings, force=args.force)


def _open_db(settings: Settings):
    from registry_desk.bootstrap import open_database

    return open_database(settings).db


def _print_certificate(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.registration import issuing
    from registry_desk.kernel.context import SYSTEM

    check_output(args.out, settings, force=args.force)  # before printing: a print is audited
    db = _open_db(settings)
    try:
        pdf = issuing.certificate_pdf(db, SYSTEM, args.number, settings=settings)
        with db.unit_of_work(write=False) as uow:
            cert = issuing.load_certificate(uow.session, args.number)
            number, kind, status, ecert_id = cert.number, cert.kind, cert.status, cert.ecert_id
    finally:
        db.dispose()
    path = _write(args, settings, pdf)
    print(f"已输出{kind.label} {number}：{path}")
    if ecert_id:
        print(f"电子证照标识：{ecert_id}")
    if status is not CertificateStatus.CURRENT:
        print(f"注意：该{kind.label}已{status.label}，补打件仅供查档，不能作为权属证明使用。")
    return 0


def _print_receipt(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.registration import issuing
    from registry_desk.kernel.context import SYSTEM

    check_output(args.out, settings, force=args.force)  # before printing: a print is audited
    db = _open_db(settings)
    try:
        pdf = issuing.acceptance_receipt_pdf(db, SYSTEM, args.case_number, settings=settings)
    finally:
        db.dispose()
    path = _write(args, settings, pdf)
    print(f"已输出受理凭证 {args.case_number.strip()}：{path}")
    return 0


def _store(settings: Settings):
    from registry_desk.exemptions.ecert.local_store import LocalEcertStore

    return LocalEcertStore(settings.ecert_dir)


def _ecert_list(args: argparse.Namespace, settings: Settings) -> int:
    status = _STATUS_CHOICES[args.status] if args.status else None
    records = _store(settings).find(
        holder_id_number=args.holder, unit_number=args.unit, number=args.number, status=status
    )
    if not records:
        print("没有符合条件的电子证照。")
        return 0
    for rec in records:
        print(
            f"{rec.ecert_id}\t{rec.status.label}\t{rec.type_label}\t{rec.number}\t{rec.holder_name}"
            f"\t{rec.unit_number}\t{rec.issued_on.isoformat()}"
        )
    print(f"共 {len(records)} 本。")
    return 0


def _ecert_show(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.documents.pki import TrustStore
    from registry_desk.exemptions.ecert.pull import EcertVerificationFailed, verify_ecert_pdf

    store = _store(settings)
    rec = store.get(args.ecert_id)
    print(f"电子证照标识：{rec.ecert_id}")
    print(f"证照类型：{rec.type_label}（{rec.type_code}）")
    print(f"证号：{rec.number}")
    print(
        f"持证人：{rec.holder_name}（{rec.holder.id_type_label}，代码 {rec.holder_id_type}）{rec.holder_id_number}"
    )
    for co in rec.co_holders:
        print(f"共有人：{co.name}（{co.id_type_label}，代码 {co.id_type}）{co.id_number}")
    print(f"不动产单元号：{rec.unit_number}")
    for key, value in rec.extra.items():
        print(f"{key}：{value}")
    print(f"颁发机构：{rec.issuer_name}")
    print(f"发证日期：{rec.issued_on.isoformat()}")
    state = rec.status.label
    if rec.cancelled_on:
        state += f"（{rec.cancelled_on.isoformat()}，{rec.cancel_reason}）"
    print(f"状态：{state}")
    print(f"文件摘要（SHA-256）：{rec.sha256}")
    try:
        verified = verify_ecert_pdf(rec, store.pdf(rec.ecert_id), TrustStore.load(settings.keys_dir))
    except EcertVerificationFailed as exc:
        print(f"核验：未通过 — {exc}")
        return 1
    print(f"核验：通过（签章：{verified.signer_org}，文件未被改动，验真码与记录一致）")
    return 0


def _ecert_export(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    rec = store.get(args.ecert_id)
    path = _write(args, settings, store.pdf(rec.ecert_id))
    print(f"已导出电子证照 {rec.ecert_id}（{rec.number}，{rec.status.label}）：{path}")
    return 0


def _ecert_import(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.exemptions.ecert.publish import import_ecert_pdf
    from registry_desk.exemptions.ecert.pull import EcertVerificationFailed

    pdf = read_pdf(args.file, what="证书 PDF")
    db = _open_db(settings)
    try:
        rec = import_ecert_pdf(db, settings, _store(settings), pdf)
    except EcertVerificationFailed as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"已导入电子证照 {rec.ecert_id}（{rec.number}，持证人 {rec.holder_name}）")
    return 0


def _ecert_publish_pending(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when nothing is left pending, 1 when a case still failed (its error is printed)."""
    from registry_desk.exemptions import service as exemptions

    db = _open_db(settings)
    try:
        if args.dry_run:
            numbers = exemptions.pending_cases(db, limit=args.limit)
            for number in numbers:
                print(number)
            print(f"待补发电子证照的业务 {len(numbers)} 件。")
            return 0
        outcome = exemptions.publish_pending(db, settings, _store(settings), limit=args.limit)
    finally:
        db.dispose()
    failed = {number: error for number, error in outcome.items() if error}
    for number, error in outcome.items():
        print(f"{number}\t{'失败：' + error if error else '已签发'}")
    print(f"补发电子证照：完成 {len(outcome) - len(failed)} 件，失败 {len(failed)} 件。")
    return 1 if failed else 0


def _ecert_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.demo.demo_ecerts import seed_demo_ecerts

    db = _open_db(settings)
    try:
        report = seed_demo_ecerts(db, settings, _store(settings), limit=args.limit)
    finally:
        db.dispose()
    print(
        f"新签发电子证照 {len(report.issued)} 本，已存在 {len(report.already_done)} 本，用时 {report.seconds:.1f} 秒。"
    )
    return 0
