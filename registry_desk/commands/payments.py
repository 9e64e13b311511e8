"""`registry-desk channel …` (the embedded collecting bank), `registry-desk bank contract` (the demo mortgagee),
`registry-desk payments …` and `registry-desk reconcile`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from registry_desk.commands.inputs import CSV_LIMIT, input_file
from registry_desk.commands.output import check_output, sane_path, write_output
from registry_desk.commands import values
from registry_desk.config import Settings
from registry_desk.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    channel = sub.add_parser("channel", help="本地收款渠道（模拟代收银行）：扫码支付、查询、对账单、支付通知")
    actions = channel.add_subparsers(dest="channel_command", metavar="操作", required=True)

    pay = actions.add_parser("pay", help="按扫描到的缴款二维码内容支付（核验认证码与有效期）")
    pay.add_argument("payload", help="缴款二维码的文字内容")
    pay.add_argument("--simulate-amount", help="模拟银行按另一金额入账（仅用于演练金额不符的处理）")
    pay.set_defaults(func=_pay)

    status = actions.add_parser("status", help="查询订单在渠道的状态")
    status.add_argument("order_no")
    status.set_defaults(func=_status)

    statement = actions.add_parser("statement", help="导出某日对账单（CSV）")
    statement.add_argument("--date", required=True, help="日期，例如 2026-03-12")
    statement.add_argument("--out", required=True, help="输出的 CSV 文件（不覆盖已有文件）")
    statement.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    statement.set_defaults(func=_statement)

    notify = actions.add_parser("notify", help="生成某订单的签名支付通知；加 --deliver 则直接交给本系统入账")
    notify.add_argument("order_no")
    notify.add_argument("--deliver", action="store_true", help="把通知交给本系统入账")
    notify.set_defaults(func=_notify)

    bank = sub.add_parser("bank", help="模拟银行（演示、培训）：出具加盖电子签章、附合同数据的抵押合同")
    b_actions = bank.add_subparsers(dest="bank_command", metavar="操作", required=True)
    contract = b_actions.add_parser(
        "contract", help="为单元的现所有权人出具抵押合同（附合同数据），放入银行报送目录供窗口读取"
    )
    contract.add_argument("unit_number", help="不动产单元号")
    contract.add_argument("--bank", required=True, help="抵押权人：印章代号（如 bank-hh）或统一社会信用代码")
    contract.add_argument("--amount", required=True, help="被担保主债权数额（最高额抵押为最高债权额），元")
    contract.add_argument(
        "--years", type=values.integer(-(10**9), 10**9), default=20, help="债务履行期限（年），默认 20"
    )
    contract.add_argument("--start", help="债务履行起始日期，默认今天")
    contract.add_argument("--maximum", action="store_true", help="最高额抵押（默认一般抵押）")
    contract.add_argument("--no-transfer", action="store_true", help="约定禁止转让抵押财产")
    contract.add_argument("--out", help="输出 PDF（默认数据目录下 bank_inbox/单元号_合同编号.pdf）")
    contract.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    contract.set_defaults(func=_bank_contract)

    payments = sub.add_parser("payments", help="税费同缴：查询入账、电子票据、税费报表")
    p_actions = payments.add_subparsers(dest="payments_command", metavar="操作", required=True)
    poll = p_actions.add_parser("poll", help="向渠道查询所有待缴订单，已支付的入账并生成电子票据")
    poll.set_defaults(func=_poll)
    receipts = p_actions.add_parser("receipts", help="列出业务件的电子票据，可导出 PDF")
    receipts.add_argument("case_number")
    receipts.add_argument("--out", help="把 PDF 写入此目录（须已存在；不覆盖已有文件）")
    receipts.add_argument("--force", action="store_true", help="输出文件已存在时覆盖它")
    receipts.set_defaults(func=_receipts)
    report = p_actions.add_parser("report", help="税费报表（按入账记录汇总）")
    report.add_argument("--from", dest="start", required=True, help="起始日期")
    report.add_argument("--to", dest="end", required=True, help="截止日期（含）")
    report.set_defaults(func=_report)

    reconcile = sub.add_parser("reconcile", help="按渠道对账单对账，输出 PDF 与 CSV 差异报告")
    reconcile.add_argument("--date", required=True, help="对账日期，例如 2026-03-12")
    reconcile.add_argument("--statement", required=True, help="渠道对账单 CSV")
    reconcile.add_argument("--out-dir", help="报告输出目录（默认数据目录下的 output）")
    reconcile.set_defaults(func=_reconcile)


def _day(text: str, option: str = "--date") -> date:
    return values.parse_day(text, f"日期 {option} ")


def _channel(settings: Settings):
    from registry_desk.payments.local_channel import LocalChannel

    return LocalChannel(settings.data_dir)


def _open(settings: Settings):
    from registry_desk.bootstrap import open_database

    return open_database(settings).db


def _pay(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.domain.money import Money
    from registry_desk.payments.channel import CHINA_TZ
    from registry_desk.kernel.context import utc_now

    amount = Money.yuan(args.simulate_amount) if args.simulate_amount else None
    result = _channel(settings).pay(args.payload, utc_now(), simulate_amount=amount)
    print(
        f"支付成功：订单 {result.order_no}，金额 {result.paid_amount} 元，渠道流水号 {result.txn_id}，"
        f"时间 {result.paid_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}"
    )
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.payments.channel import CHINA_TZ

    s = _channel(settings).query(args.order_no)
    print(f"订单 {s.order_no}：状态 {s.status}（{s.label}）")
    if s.is_paid:
        print(
            f"  渠道流水号 {s.txn_id}，实收 {s.paid_amount} 元，支付时间 {s.paid_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}"
        )
    return 0


def _statement(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.payments.local_channel import statement_csv

    check_output(args.out, settings, force=args.force)
    rows = _channel(settings).statement(_day(args.date))
    out = write_output(args.out, statement_csv(rows), settings, force=args.force)
    print(f"已导出 {args.date} 对账单 {len(rows)} 笔：{out}")
    return 0


def _notify(args: argparse.Namespace, settings: Settings) -> int:
    channel = _channel(settings)
    body, signature = channel.notification(args.order_no)
    print(body.decode("utf-8"))
    print(f"签名：{signature}")
    if args.deliver:
        from registry_desk.payments.settlement import handle_notification

        db = _open(settings)
        try:
            outcome = handle_notification(db, channel, body, signature)
        finally:
            db.dispose()
        print(f"入账结果：{outcome.result}　{outcome.message}")
    return 0


def _poll(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.payments.receipts import tools_from_keys
    from registry_desk.payments.service import poll_and_issue

    db = _open(settings)
    try:
        # Settles what the channel reports paid, renders the receipts of those orders, then every receipt
        # an earlier, killed run left without its PDF (all of them: this is a one-shot command).
        result = poll_and_issue(db, _channel(settings), tools_from_keys(settings.keys_dir), backlog=None)
        report, made = result.report, result.receipts_made
        for outcome in report.outcomes:
            print(f"{outcome.order_no}：{outcome.result}　{outcome.message}")
    finally:
        db.dispose()
    print(f"共查询 {report.checked} 张待缴订单，入账 {report.count('settled')} 张，生成电子票据 {made} 份")
    return 0


def _receipts(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.domain.errors import NotFound
    from registry_desk.payments.receipts import list_receipts, produce_receipt_documents, tools_from_keys
    from registry_desk.storage.ledger.orders import case_by_number
    from registry_desk.storage.ledger.receipts import attachment_by_id

    db = _open(settings)
    try:
        with db.unit_of_work(write=False) as uow:
            case = case_by_number(uow.session, args.case_number)
            if case is None:
                raise NotFound(
                    f"没有受理编号为 {args.case_number} 的业务件",
                    rule="按受理编号查询",
                    record=args.case_number,
                )
            case_id = case.id
        produce_receipt_documents(db, case_id, tools_from_keys(settings.keys_dir))
        with db.unit_of_work(write=False) as uow:
            receipts = list_receipts(uow.session, case_id)
            for r in receipts:
                code = f"代码 {r.bill_code} " if r.bill_code else ""
                print(
                    f"{r.kind_label}：{code}号码 {r.number}　{r.payer_name}　{r.amount} 元　状态 {r.status}"
                )
                if args.out and r.attachment_id:
                    att = attachment_by_id(uow.session, r.attachment_id)
                    out = write_output(
                        str(Path(args.out) / att.filename), att.content, settings, force=args.force
                    )
                    print(f"  已导出：{out}")
    finally:
        db.dispose()
    if not receipts:
        print("该业务件尚无电子票据（未缴清入账）。")
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.domain.ledger import LedgerAccount
    from registry_desk.payments.reports import fee_tax_report

    period = _day(args.start, "--from"), _day(args.end, "--to")
    values.period(*period, "税费报表")
    db = _open(settings)
    try:
        with db.unit_of_work(write=False) as uow:
            lines = fee_tax_report(uow.session, *period)
    finally:
        db.dispose()
    print(f"税费报表 {args.start} 至 {args.end}（按入账记录）")
    for line in lines:
        print(
            f"{LedgerAccount(line.account).label}\t{line.item}\t入库 {line.settled}\t退库 {line.refunded}\t净额 {line.net}"
        )
    return 0


def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.payments.local_channel import CHANNEL_NAME
    from registry_desk.payments.reconciliation import DISCREPANCY_LABELS, run_reconciliation

    day = _day(args.date)
    statement = input_file(args.statement, what="渠道对账单", limit=CSV_LIMIT)
    out_dir = Path(sane_path(args.out_dir, "报告输出目录")) if args.out_dir else settings.output_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise ValidationError(
            f"报告输出目录 {out_dir} 不是文件夹", rule="对账报告输出目录", record=str(out_dir)
        )
    db = _open(settings)
    try:
        report, pdf, csv_path = run_reconciliation(db, CHANNEL_NAME, day, statement, out_dir)
    finally:
        db.dispose()
    print(
        f"对账日期 {report.day}：对账单 {report.statement_rows} 笔，相符 {report.matched} 笔，差异 {len(report.discrepancies)} 笔"
    )
    for kind, label in DISCREPANCY_LABELS.items():
        if report.count(kind):
            print(f"  {label}：{report.count(kind)} 笔")
    print(f"报告：{pdf}")
    print(f"明细：{csv_path}")
    return 0 if report.ok else 1


def _bank_contract(args: argparse.Namespace, settings: Settings) -> int:
    from registry_desk.domain.codes import MortgageMode
    from registry_desk.domain.money import Money
    from registry_desk.demo.demo_contracts import make_demo_mortgage_contract
    from registry_desk.domain.clock import CHINA_TZ
    from registry_desk.exemptions.bank_contracts import inbox_file_name
    from registry_desk.kernel.context import utc_now

    if not 1 <= args.years <= 50:
        raise ValidationError(
            f"债务履行期限 {args.years} 年不在 1 至 50 年之间", rule="抵押期限", record=str(args.years)
        )
    start = _day(args.start, "--start") if args.start else utc_now().astimezone(CHINA_TZ).date()
    mode = MortgageMode.MAXIMUM if args.maximum else MortgageMode.GENERAL
    db = _open(settings)
    try:
        number, pdf = make_demo_mortgage_contract(
            settings,
            db,
            args.unit_number,
            args.bank,
            Money.yuan(args.amount),
            start=start,
            years=args.years,
            mode=mode,
            no_transfer=args.no_transfer,
        )
    finally:
        db.dispose()
    if args.out:
        out = Path(args.out)
    else:  # the program's own inbox folder, made if it is not there yet
        settings.bank_inbox_dir.mkdir(parents=True, exist_ok=True)
        out = settings.bank_inbox_dir / inbox_file_name(args.unit_number.strip(), number)
    out = write_output(str(out), pdf, settings, force=args.force)
    print(f"抵押合同 {number}（单元 {args.unit_number}，{mode.label} {Money.yuan(args.amount)}元）：{out}")
    return 0
