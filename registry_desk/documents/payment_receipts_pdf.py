"""PDFs of the 税费同缴 outputs: the 电子完税凭证, the 登记费电子票据 (and its 冲红 bill), the reconciliation report.

Every value arrives as formatted text in a view; the glyph check runs before drawing. The seal image is
drawn into the page content (QtPdf does not show signature appearances); the PAdES signature is applied
afterwards by `seal_pdf`, which takes the Sealer so that tests and an SM2 provider can pass their own.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    draw_seal,
    image_reader,
    new_canvas,
    wrap_text,
)
from registry_desk.documents.qr import qr_png
from registry_desk.documents.seal import Sealer

QR_SIZE = 26 * mm
SEAL_DIAMETER = 40 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def amount_in_words(amount: Decimal | str) -> str:
    """人民币大写 as printed on Chinese receipts: 10080.00 → 壹万零捌拾元整; negative amounts get 负."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    prefix = "负" if value < 0 else ""
    value = abs(value)
    fen_total = int(value * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    text = ""
    if yuan:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        parts: list[str] = []
        zero_pending = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                zero_pending = True
                continue
            if parts and (zero_pending or group < 1000):
                parts.append("零")
            parts.append(_group_words(group) + _BIG_UNITS[index])
            zero_pending = False
        text = "".join(parts) + "元"
    if cents == 0:
        return prefix + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return prefix + text


def _group_words(group: int) -> str:
    digits = f"{group:04d}"
    out = ""
    zero = False
    started = False
    for position, ch in enumerate(digits):
        d = int(ch)
        unit = _SMALL_UNITS[3 - position]
        if d == 0:
            zero = started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + unit
        started = True
    return out


@dataclass(frozen=True)
class ReceiptLine:
    """One printed item: 编码, 名称, 数量, 标准 (or 计税依据), 税率, 金额 — all text."""

    code: str
    name: str
    quantity: str
    standard: str
    rate: str
    amount: str


@dataclass(frozen=True)
class FeeBillView:
    """The 登记费电子票据 (财政电子票据) as printed."""

    bill_code: str  # 票据代码
    number: str  # 票据号码
    check_code: str  # 校验码
    issued_on: str  # 开票日期, e.g. 2026年3月12日
    payer_name: str  # 交款人
    payer_id: str
    lines: tuple[ReceiptLine, ...]
    total: str
    payee: str  # 收款单位
    collector: str  # 执收单位
    case_number: str
    order_no: str
    payment_code: str  # 缴款码
    red_of: str | None = None  # "代码 X 号码 Y" of the bill a red-letter bill cancels
    supervisor: str = ""  # the fiscal bureau whose 财政票据监制章 the bill carries


@dataclass(frozen=True)
class TaxCertificateView:
    """The 电子完税凭证 of one taxpayer as printed."""

    number: str  # 税票号码
    issued_on: str
    taxpayer_name: str
    taxpayer_id: str  # 纳税人识别号
    tax_office: str
    lines: tuple[ReceiptLine, ...]
    total: str
    case_number: str
    order_no: str
    status_note: str = ""  # e.g. 已退税 after a refund


def fee_bill_fields(view: FeeBillView) -> dict[str, str]:
    fields = {
        "票据代码": view.bill_code,
        "票据号码": view.number,
        "校验码": view.check_code,
        "交款人": view.payer_name,
        "交款人证件号": view.payer_id,
        "收款单位": view.payee,
        "执收单位": view.collector,
        "监制": view.supervisor,
        "合计": view.total,
        "业务号": view.case_number,
        "缴款单号": view.order_no,
        "缴款码": view.payment_code,
    }
    for i, line in enumerate(view.lines, 1):
        fields[f"第{i}项"] = line.code + line.name + line.quantity + line.standard + line.amount
    return fields


def tax_certificate_fields(view: TaxCertificateView) -> dict[str, str]:
    fields = {
        "税票号码": view.number,
        "纳税人名称": view.taxpayer_name,
        "纳税人识别号": view.taxpayer_id,
        "税务机关": view.tax_office,
        "合计": view.total,
        "业务号": view.case_number,
        "缴款单号": view.order_no,
        "备注": view.status_note,
    }
    for i, line in enumerate(view.lines, 1):
        fields[f"第{i}项"] = line.code + line.name + line.standard + line.rate + line.amount
    return fields


def _header(canvas: Canvas, font: str, title: str, subtitle: str, qr_payload: str) -> float:
    top = PAGE_HEIGHT - MARGIN
    canvas.drawImage(image_reader(qr_png(qr_payload, box_size=3)), MARGIN, top - QR_SIZE, QR_SIZE, QR_SIZE)
    canvas.setFont(font, 18)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 22, title)
    canvas.setFont(font, 10)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 40, subtitle)
    return top - QR_SIZE - 8


def _pairs(canvas: Canvas, font: str, y: float, pairs: Sequence[tuple[str, str]], columns: int = 2) -> float:
    size = 10
    width = CONTENT_WIDTH / columns
    for index, (label, value) in enumerate(pairs):
        col = index % columns
        if col == 0 and index:
            y -= 16
        canvas.setFont(font, size)
        canvas.drawString(MARGIN + col * width, y, f"{label}：{value}")
    return y - 20


def _table(
    canvas: Canvas,
    font: str,
    y: float,
    header: Sequence[str],
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    right_aligned: set[int],
) -> float:
    size = 9.5
    row_height = 18.0
    total_width = sum(widths)
    all_rows = [tuple(header), *(tuple(r) for r in rows)]
    canvas.setLineWidth(0.6)
    for r, row in enumerate(all_rows):
        lines_per_cell = [wrap_text(cell, font, size, widths[c] - 6) for c, cell in enumerate(row)]
        height = max(row_height, max(len(lines) for lines in lines_per_cell) * size * 1.35 + 6)
        canvas.rect(MARGIN, y - height, total_width, height)
        x = MARGIN
        for c, lines in enumerate(lines_per_cell):
            if c:
                canvas.line(x, y, x, y - height)
            canvas.setFont(font, size)
            for k, text in enumerate(lines):
                baseline = y - 4 - size - k * size * 1.35
                if c in right_aligned and r > 0:
                    canvas.drawRightString(x + widths[c] - 3, baseline, text)
                elif r == 0:
                    canvas.drawCentredString(x + widths[c] / 2, baseline, text)
                else:
                    canvas.drawString(x + 3, baseline, text)
            x += widths[c]
        y -= height
    return y


def _seal_block(
    canvas: Canvas,
    font: str,
    y: float,
    lines: Sequence[str],
    seal_png: bytes | None,
    *,
    left_side: bool = False,
) -> None:
    block_width = 80 * mm
    left = MARGIN if left_side else PAGE_WIDTH - MARGIN - block_width
    canvas.setFont(font, 11)
    for index, text in enumerate(lines):
        canvas.drawCentredString(left + block_width / 2, y - 14 - index * 16, text)
    if seal_png is not None:
        draw_seal(canvas, seal_png, left + block_width / 2, y - 8 - len(lines) * 8, SEAL_DIAMETER)


def render_fee_bill(
    view: FeeBillView,
    *,
    qr_payload: str,
    seal_png: bytes | None = None,
    supervisor_seal_png: bytes | None = None,
) -> bytes:
    """The fee bill PDF (one A4 page; a red-letter bill says so in its title and names the cancelled bill).

    The 收款单位's seal sits on the right; the fiscal bureau's 财政票据监制章 (when `view.supervisor` is
    set) on the left, each above the name of the body that seals (the seal and the name always agree)."""
    check_printable(fee_bill_fields(view))
    red = view.red_of is not None
    title = "登记费电子票据（冲红）" if red else "登记费电子票据"
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=f"{title} {view.bill_code}-{view.number}", subject="财政电子票据")
    y = _header(canvas, font, title, "财政电子票据（非税收入）", qr_payload)
    if red:
        canvas.setFillColorRGB(0.75, 0, 0)
    y = _pairs(
        canvas,
        font,
        y,
        [
            ("票据代码", view.bill_code),
            ("票据号码", view.number),
            ("校验码", view.check_code),
            ("开票日期", view.issued_on),
            ("交款人", view.payer_name),
            ("交款人证件号", view.payer_id),
            ("缴款码", view.payment_code),
            ("业务号", view.case_number),
        ],
    )
    widths = [80.0, 150.0, 50.0, 95.0, CONTENT_WIDTH - 375.0]
    rows = [(line.code, line.name, line.quantity, line.standard, line.amount) for line in view.lines]
    y = _table(
        canvas, font, y, ("项目编码", "项目名称", "数量", "标准（元）", "金额（元）"), widths, rows, {2, 3, 4}
    )
    y = _table(
        canvas,
        font,
        y,
        (f"金额合计（大写）{amount_in_words(view.total)}", f"（小写）{view.total}"),
        [CONTENT_WIDTH - 170.0, 170.0],
        [],
        set(),
    )
    y -= 8
    canvas.setFont(font, 10)
    notes = f"缴款单号：{view.order_no}"
    if red:
        notes += f"　冲红原票据：{view.red_of}"
    canvas.drawString(MARGIN, y - 12, notes)
    canvas.drawString(MARGIN, y - 30, f"执收单位：{view.collector}")
    canvas.setFillColorRGB(0, 0, 0)
    if view.supervisor:
        _seal_block(
            canvas,
            font,
            y - 40,
            ("财政票据监制章", f"监制：{view.supervisor}"),
            supervisor_seal_png,
            left_side=True,
        )
    _seal_block(canvas, font, y - 40, ("收款单位（章）", view.payee, view.issued_on), seal_png)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_tax_certificate(
    view: TaxCertificateView, *, qr_payload: str, seal_png: bytes | None = None
) -> bytes:
    check_printable(tax_certificate_fields(view))
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=f"电子完税凭证 {view.number}", subject="电子完税凭证")
    y = _header(canvas, font, "电子完税凭证", "税费同缴（一次扫码，税费同缴）", qr_payload)
    y = _pairs(
        canvas,
        font,
        y,
        [
            ("税票号码", view.number),
            ("填发日期", view.issued_on),
            ("纳税人识别号", view.taxpayer_id),
            ("纳税人名称", view.taxpayer_name),
            ("税务机关", view.tax_office),
            ("业务号", view.case_number),
        ],
    )
    widths = [70.0, 150.0, 110.0, 60.0, CONTENT_WIDTH - 390.0]
    rows = [(line.code, line.name, line.standard, line.rate, line.amount) for line in view.lines]
    y = _table(
        canvas,
        font,
        y,
        ("税种代码", "税种（品目）", "计税依据（元）", "税率", "实缴金额（元）"),
        widths,
        rows,
        {2, 3, 4},
    )
    y = _table(
        canvas,
        font,
        y,
        (f"金额合计（大写）{amount_in_words(view.total)}", f"（小写）{view.total}"),
        [CONTENT_WIDTH - 170.0, 170.0],
        [],
        set(),
    )
    canvas.setFont(font, 10)
    canvas.drawString(MARGIN, y - 20, f"缴款单号：{view.order_no}")
    if view.status_note:
        canvas.setFillColorRGB(0.75, 0, 0)
        canvas.drawString(MARGIN, y - 38, view.status_note)
        canvas.setFillColorRGB(0, 0, 0)
    _seal_block(canvas, font, y - 48, ("征收单位（章）", view.tax_office, view.issued_on), seal_png)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def seal_pdf(pdf: bytes, sealer: Sealer, *, reason: str, payload: str | None = None) -> bytes:
    """Applies the PAdES seal (after the seal image has been drawn, so the signature covers it); `payload`
    (the signed QR text) goes into the signed revision, so `verify` reads it without a QR decoder."""
    return sealer.seal(pdf, reason=reason, location="中卫市", payload=payload)


# ---------------------------------------------------------------------------------------------------------
# The reconciliation report


@dataclass(frozen=True)
class ReconciliationView:
    title: str
    summary: tuple[tuple[str, str], ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def render_reconciliation_report(view: ReconciliationView, *, max_rows: int = 2000) -> bytes:
    """Summary first, then the discrepancies (at most `max_rows`; the CSV always holds all of them)."""
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=view.title, subject="对账报告")
    y = PAGE_HEIGHT - MARGIN
    canvas.setFont(font, 16)
    canvas.drawCentredString(PAGE_WIDTH / 2, y - 18, view.title)
    y -= 40
    canvas.setFont(font, 10)
    for label, value in view.summary:
        canvas.drawString(MARGIN, y, f"{label}：{value}")
        y -= 15
    y -= 8
    widths = [110.0, 40.0, 120.0, 120.0, 55.0, 55.0]
    size = 7.5
    shown = view.rows[:max_rows]

    def header_row(y: float) -> float:
        canvas.setFont(font, size)
        x = MARGIN
        for text, w in zip(view.header, widths, strict=False):
            canvas.drawString(x, y, text)
            x += w
        return y - 12

    y = header_row(y)
    for row in shown:
        if y < MARGIN + 20:
            canvas.showPage()
            y = header_row(PAGE_HEIGHT - MARGIN)
        canvas.setFont(font, size)
        x = MARGIN
        for text, w in zip(row, widths, strict=False):
            while text and stringWidth(text, font, size) > w - 3:
                text = text[:-1]
            canvas.drawString(x, y, text)
            x += w
        y -= 11
    if len(view.rows) > max_rows:
        canvas.drawString(MARGIN, y - 6, f"另有 {len(view.rows) - max_rows} 条差异，见 CSV 文件")
    if not view.rows:
        canvas.setFont(font, 11)
        canvas.drawString(MARGIN, y - 6, "对账相符，无差异。")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
