"""`registry-desk quote`: the trial calculation of registration fees and taxes (税费试算) on the command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from registry_desk.config import Settings
from registry_desk.domain.charges import Account, PropertyUse, Quote, QuoteLine
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.fees import Business
from registry_desk.domain.money import Money, MoneyError
from registry_desk.domain.taxes import District, TransferFacts
from registry_desk.kernel.quote import QuoteRequest, compute_quote, quote_as_dict, rate_text

_RULE = "税费试算参数"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Options that describe a sale; they make no sense for the other businesses.
_TRANSFER_OPTIONS = (
    ("price", "--price"),
    ("area", "--area"),
    ("buyer_homes", "--buyer-homes"),
    ("seller_years", "--seller-years"),
    ("original_value", "--original-value"),
    ("reasonable_costs", "--reasonable-costs"),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "quote",
        help="税费试算：登记费与交易税费",
        description="按政策数据试算登记费和个人存量房交易税费（仅供参考，以税务机关核定为准）。",
    )
    p.add_argument("--type", required=True, choices=[b.value for b in Business], help="业务类型")
    p.add_argument("--price", metavar="YUAN", help="成交价格（元，含增值税）")
    p.add_argument("--area", metavar="M2", help="建筑面积（㎡，最多两位小数）")
    use = p.add_mutually_exclusive_group()
    use.add_argument("--non-residential", action="store_true", help="非住宅（默认住宅）")
    use.add_argument("--garage", action="store_true", help="单独发证的车库、车位、储藏室")
    p.add_argument("--buyer-homes", metavar="N", help="买方家庭住房套数，含本次所购（1 = 唯一住房）")
    p.add_argument("--seller-years", metavar="N", help="卖方持有整年数")
    p.add_argument("--seller-only-home", action="store_true", help="该房屋是卖方家庭唯一住房")
    p.add_argument("--original-value", metavar="YUAN", help="房屋原值（能提供凭证时填写，元）")
    p.add_argument("--reasonable-costs", metavar="YUAN", help="可扣除的合理费用（装修、贷款利息等，元）")
    p.add_argument(
        "--district", choices=[d.value for d in District], default="city", help="城建税地区（默认 city）"
    )
    p.add_argument("--contract-date", metavar="YYYY-MM-DD", help="合同日期，决定适用税率（默认今天）")
    p.add_argument("--application-date", metavar="YYYY-MM-DD", help="申请日期，决定登记费标准（默认今天）")
    p.add_argument("--extra-certificates", metavar="N", default="0", help="额外申请的证书本数（每本工本费）")
    p.add_argument(
        "--small-enterprise", action="store_true", help="权利人为小微企业或个体工商户（凭承诺免登记费）"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=run)


def _refuse(option: str, message: str) -> ValidationError:
    return ValidationError(f"{option}：{message}", rule=_RULE, record=option)


def _money(option: str, text: str | None, *, positive: bool) -> Money | None:
    if text is None:
        return None
    try:
        amount = Money.yuan(text.strip().replace(",", ""))
    except MoneyError as exc:
        raise _refuse(option, f"“{text}”不是有效金额（元，最多两位小数）") from exc
    if amount.fen < 0 or (positive and amount.fen == 0):
        raise _refuse(option, f"金额须{'大于' if positive else '不小于'}0（收到“{text}”）")
    return amount


def _count(option: str, text: str | None, minimum: int) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[+-]?\d+", text.strip()):
        raise _refuse(option, f"须为整数（收到“{text}”）")
    value = int(text)
    if value < minimum:
        raise _refuse(option, f"须不小于{minimum}（收到“{text}”）")
    return value


def _area(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _refuse("--area", f"“{text}”不是有效面积") from None
    if not value.is_finite() or value <= 0:
        raise _refuse("--area", f"面积须大于0（收到“{text}”）")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _refuse("--area", f"面积最多两位小数（收到“{text}”）")
    return value


def _day(option: str, text: str | None, today: date) -> date:
    if text is None:
        return today
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(option, f"“{text}”不是 YYYY-MM-DD 格式的有效日期") from None


def request_from_args(args: argparse.Namespace, today: date) -> QuoteRequest:
    """Turns the options into a QuoteRequest, refusing bad values with a Chinese message naming the option."""
    business = Business(args.type)
    if args.non_residential:
        use = PropertyUse.NON_RESIDENTIAL
    elif args.garage:
        use = PropertyUse.ANCILLARY
    else:
        use = PropertyUse.RESIDENTIAL
    extra = _count("--extra-certificates", args.extra_certificates, 0)
    assert extra is not None
    common = {
        "business": business,
        "application_date": _day("--application-date", args.application_date, today),
        "property_use": use,
        "extra_certificates": extra,
        "small_enterprise": args.small_enterprise,
    }
    if business is not Business.TRANSFER:
        given = [option for name, option in _TRANSFER_OPTIONS if getattr(args, name) is not None]
        given += ["--seller-only-home"] if args.seller_only_home else []
        given += ["--contract-date"] if args.contract_date else []
        if given:
            raise _refuse(given[0], f"{business.label}不涉及交易税费，不能使用 {'、'.join(given)}")
        return QuoteRequest(**common)  # type: ignore[arg-type]

    price = _money("--price", args.price, positive=True)
    if price is None:
        raise _refuse("--price", "转移登记试算须填写成交价格（元，含增值税）")
    facts = TransferFacts(
        price=price,
        contract_date=_day("--contract-date", args.contract_date, today),
        property_use=use,
        area=_area(args.area),
        buyer_homes=_count("--buyer-homes", args.buyer_homes, 1),
        seller_years=_count("--seller-years", args.seller_years, 0),
        seller_only_home=args.seller_only_home,
        original_value=_money("--original-value", args.original_value, positive=False),
        reasonable_costs=_money("--reasonable-costs", args.reasonable_costs, positive=False) or Money.zero(),
        district=District(args.district),
    )
    return QuoteRequest(**common, transfer=facts)  # type: ignore[arg-type]


def run(args: argparse.Namespace, settings: Settings, *, today: date | None = None) -> int:
    # The clock is read here, at the edge; the domain and the service take the day as an argument.
    request = request_from_args(args, today or date.today())
    quote = compute_quote(request)
    if args.json:
        print(json.dumps(quote_as_dict(quote), ensure_ascii=False, indent=2))
        # stdout keeps the agreed JSON shape; what the quote leaves out still reaches the user.
        for note in quote.notes:
            print(f"注意：{note}", file=sys.stderr)
    else:
        print(render_table(quote, request))
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _rate_cell(line: QuoteLine) -> str:
    if line.account is Account.FISCAL:
        # A fee's rate is the share of the standard charged: 1 in full, 0 when waived.
        if not line.amount:
            return "免收"
        return "全额" if line.rate == 1 else f"×{rate_text(line.rate)}"
    if not line.rate:
        return "免征"
    return f"{format((line.rate * 100).normalize(), 'f')}%"


def render_table(quote: Quote, request: QuoteRequest) -> str:
    """The quote as a readable Chinese table: one row per line, then the totals and the remarks."""
    title = f"税费试算：{request.business.label}（{request.property_use.label}）"
    dates = [f"申请日期 {request.application_date.isoformat()}"]
    if request.transfer is not None:
        dates.insert(0, f"合同日期 {request.transfer.contract_date.isoformat()}")
    header = ("项目", "缴纳方", "纳税（缴费）人", "入账", "计税（费）依据", "税（费）率", "金额（元）")
    rows = [
        (
            line.item + ("*" if line.unverified else ""),
            line.payer.label,
            line.taxpayer_role.label,
            line.account.label,
            f"{line.base.amount:,.2f}",
            _rate_cell(line),
            f"{line.amount.amount:,.2f}",
        )
        for line in quote.lines
    ]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {4, 5, 6}

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(_pad(c, widths[i], right=i in numeric) for i, c in enumerate(row)).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = [title, "；".join(dates), "", fmt(header), rule, *(fmt(r) for r in rows), rule]
    out.append(
        "按缴纳方合计："
        + "；".join(f"{payer.label} {total.amount:,.2f}" for payer, total in quote.totals_by_payer().items())
    )
    out.append(
        "按入账合计："
        + "；".join(f"{acct.label} {total.amount:,.2f}" for acct, total in quote.totals_by_account().items())
    )
    out.append(f"总计：{quote.total().amount:,.2f} 元")
    out.append("")
    out.append("说明：")
    for line in quote.lines:
        out.append(f"  {line.item}（{line.payer.label}）：{line.note}")
    for note in quote.notes:
        out.append(f"  注意：{note}")
    if quote.has_unverified():
        out.append("  * 标注的项目所依据的政策待核实，请以税务机关和登记机构的核定为准。")
    out.append("  本试算仅供参考，税款以税务机关核定为准。")
    return "\n".join(out)
