"""`registry-desk seal init|sign` (demo seals, a bank sealing a contract) and `registry-desk verify FILE.pdf`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from registry_desk.commands import values
from registry_desk.commands.inputs import JSON_LIMIT, read_input, read_pdf
from registry_desk.commands.output import check_output, sane_path, write_output
from registry_desk.config import Settings, redact_url
from registry_desk.domain.errors import ValidationError

CENTRE_SEAL_TEXT = "不动产登记专用章"
CONTRACT_SEAL_TEXT = "合同专用章"
# The centre text a holder's seal carries by default: what the documents it issues carry.
_SEAL_TEXTS = {"agency": CENTRE_SEAL_TEXT, "tax": "征税专用章", "fiscal": "财政票据监制章"}


def register(sub: argparse._SubParsersAction) -> None:
    seal = sub.add_parser("seal", help="电子印章：创建演示证书、为 PDF 盖章")
    actions = seal.add_subparsers(dest="seal_command", metavar="操作", required=True)

    init = actions.add_parser("init", help="在数据目录中创建演示根证书和各机构的印章证书（已有则不覆盖）")
    init.set_defaults(func=_init)

    sign = actions.add_parser("sign", help="以机构的电子印章为 PDF 盖章（先盖印章图像，再加数字签名）")
    sign.add_argument("--org", required=True, help="机构代号（如 bank-hh）或统一社会信用代码")
    sign.add_argument("--reason", default="合同签章", help="签章事由（默认：合同签章）")
    sign.add_argument("--location", default="中卫市", help="签章地点（默认：中卫市）")
    sign.add_argument(
        "--text",
        help="印章中心文字（默认：登记机构为“不动产登记专用章”，税务机关为“征税专用章”，"
        "财政部门为“财政票据监制章”，其他为“合同专用章”）",
    )
    sign.add_argument(
        "--page",
        type=values.integer(-10_000, 10_000),
        default=-1,
        help="盖章页，1 为第一页，-1 为最后一页（默认）",
    )
    sign.add_argument(
        "--contract-data",
        metavar="JSON",
        help="抵押合同数据（JSON，格式见 exemptions/bank_contracts.py）：核对后嵌入 PDF 再盖章，窗口按 F6 读取",
    )
    sign.add_argument("input", help="待盖章的 PDF")
    sign.add_argument("output", help="盖章后的 PDF（不覆盖已有文件）")
    sign.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    sign.set_defaults(func=_sign)

    verify = sub.add_parser("verify", help="离线验证 PDF 的电子签章和验真码")
    verify.add_argument("file", help="要验证的 PDF")
    verify.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="目录",
        help="另外信任的证书目录（PEM），可多次给出；默认只信任数据目录 keys/trust/ 中的证书",
    )
    verify.epilog = "给出全局选项 --database-url 时，另查询该登记簿中证书的现状（是否已注销）。"
    verify.set_defaults(func=_verify)


def _init(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.documents.pki import create_demo_pki
    from registry_desk.kernel.authorities import policy_authorities
    from registry_desk.resources_path import seed

    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    pki = create_demo_pki(settings.keys_dir, organisations, authorities=policy_authorities())
    print(f"密钥目录：{settings.keys_dir}")
    if pki.created:
        print("本次新建：" + "、".join("根证书" if k == "root" else k for k in pki.created))
    else:
        print("演示证书已存在，未做任何更改。")
    print(f"根证书：{_subject_cn(pki.root)}（信任目录：{settings.keys_dir / 'trust'}）")
    for ident in pki.identities.values():
        mark = "（新建）" if ident.key in pki.created else ""
        print(f"  印章 {ident.key}：{ident.name}，统一社会信用代码 {ident.uscc}{mark}")
    return 0


def _subject_cn(cert) -> str:
    from cryptography.x509.oid import NameOID

    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()


def _sign(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.documents.pki import load_pki
    from registry_desk.documents.seal import PadesSealer, stamp_seal_image
    from registry_desk.documents.seal_image import seal_image_png

    pdf = read_pdf(args.input)
    check_output(args.output, settings, force=args.force)
    identity = load_pki(settings.keys_dir).identity(args.org)
    if args.page == 0:
        raise ValidationError("页码从 1 开始，-1 表示最后一页", rule="盖章页码", record=str(args.page))
    page_index = args.page - 1 if args.page > 0 else args.page
    text = args.text or _SEAL_TEXTS.get(identity.role, CONTRACT_SEAL_TEXT)
    if args.contract_data:
        pdf = _with_contract_data(pdf, Path(args.contract_data), identity)
    # Draw first, then sign: the signature must cover the drawn seal.
    stamped = stamp_seal_image(pdf, seal_image_png(identity.name, text), page=page_index)
    sealed = PadesSealer.for_identity(identity).seal(stamped, reason=args.reason, location=args.location)
    out = write_output(args.output, sealed, settings, force=args.force)
    print(f"已盖章：{identity.name}（{identity.uscc}），事由：{args.reason}")
    print(f"输出文件：{out}")
    return 0


def _with_contract_data(pdf: bytes, path: Path, identity) -> bytes:
    """The PDF with the contract data embedded, once the data reads and names the sealing bank itself."""
    from registry_desk.exemptions.bank_contracts import (
        RULE_CONTRACT,
        embed_contract_data,
        parse_contract_json,
    )

    content = read_input(str(path), what="合同数据文件（JSON）", limit=JSON_LIMIT)
    data, _unit, _mortgagors = parse_contract_json(content, path.name)
    if data.bank_uscc != identity.uscc:
        raise ValidationError(
            f"合同数据 {path.name} 载明的抵押权人为 {data.bank_uscc}，不是盖章机构 {identity.name}（{identity.uscc}）",
            rule=RULE_CONTRACT,
            record=data.contract_no,
        )
    return embed_contract_data(pdf, content)


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.documents.pki import TrustStore
    from registry_desk.documents.verification import beijing_time_text, check_document, readable_fields
    from registry_desk.kernel.authorities import policy_authorities

    pdf = read_pdf(args.file)
    for folder in args.trust:  # a mistyped --trust would otherwise be ignored in silence
        if not sane_path(folder, "信任目录") or not Path(folder).expanduser().is_dir():
            raise ValidationError(f"信任目录 {folder} 不存在或不是文件夹", rule="信任目录", record=folder)
    trust = TrustStore.load(settings.keys_dir, *(Path(t).expanduser() for t in args.trust))
    authorities = policy_authorities()
    report = check_document(pdf, trust, authorities)

    print(f"文件：{args.file}")
    if trust.is_empty:
        print(f"提示：没有配置信任根证书（{settings.keys_dir / 'trust'}），任何签章都不会被信任。")
    for n, sig in enumerate(report.seals.signatures, 1):
        # Beijing time whatever the machine's zone: the time a citizen compares with the counter's clock.
        when = beijing_time_text(sig.signing_time) if sig.signing_time else "未知（签章未载明时间）"
        print(
            f"签章 {n}：{sig.signer_org or '未知机构'}"
            + (f"（{sig.signer_uscc}）" if sig.signer_uscc else "")
        )
        print(f"  签章时间：{when}")
        print(
            f"  内容完整：{_yes_no(sig.intact)}    签章人可信：{_yes_no(sig.trusted)}"
            f"    覆盖全文：{_yes_no(sig.covers_whole_document)}"
        )
    if report.payload is not None:
        p = report.payload
        state = "签名有效" if p.ok else "无效"
        print(f"验真码：{state}" + (f"（签发：{p.signer_org}）" if p.signer_org else ""))
        for label, shown in readable_fields(p.fields, authorities):
            print(f"  {label}：{shown}")
    for note in report.notes:
        print(f"提示：{note}")
    problems = list(report.problems)
    if args.database_url and report.payload is not None and report.payload.ok:
        problems.extend(_register_standing(settings, report.payload.fields))
    if not problems:
        print("结论：验证通过。")
        return 0
    print("结论：验证未通过。")
    for problem in problems:
        print(f"  ✗ {problem}")
    return 1


def _register_standing(settings: Settings, fields: dict) -> list[str]:
    """Online: the certificate's status in the register now, against the status it was printed with."""
    from registry_desk.registration.issuing import certificate_standing
    from registry_desk.storage.database import Database

    number = str(fields.get("number") or "")
    if not number:
        return []
    db = Database(settings.database_url)
    try:
        db.check_connection()
        standing = certificate_standing(db, number)
    finally:
        db.dispose()
    if standing is None:
        return [f"登记簿中没有证号为 {number} 的证书或证明：本件不是该登记簿签发的"]
    status, changed_on = standing
    when = f"（{changed_on:%Y年%m月%d日}）" if changed_on else ""
    print(f"登记簿现状：{status.label}{when}（查询 {redact_url(settings.database_url)}）")
    printed = str(fields.get("status") or "current")
    if status.value != printed:
        return [
            f"登记簿显示证书 {number} 现为“{status.label}”{when}，与本件打印时的状态不同："
            "本件已不能证明现有权利"
        ]
    return []


def _yes_no(flag: bool) -> str:
    return "是" if flag else "否"
