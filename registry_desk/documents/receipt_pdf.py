"""PDF of the 受理凭证 handed to the applicant at the counter, optionally with the 税费同缴 payment QR."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import (
    CELL_PADDING,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    FieldTable,
    LaidOutRow,
    TableRow,
    draw_lines,
    draw_seal,
    format_date,
    format_datetime,
    image_reader,
    new_canvas,
    text_height,
    wrap_text,
)
from registry_desk.documents.qr import qr_png

DEFAULT_OFFICE = "中卫市自然资源局"  # the agency accepts; the centre is its counter, not an authority
MISSING_MATERIALS_LABEL = "需补正材料（一次性告知）"
PAYMENT_QR_CAPTION = "扫码缴纳税费（一次扫码，税费同缴）"
CASE_QR_CAPTION = "扫码查询办理进度"

BODY_SIZE = 10.0
LABEL_WIDTH = 100.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CASE_QR_SIZE = 24 * mm
PAYMENT_QR_SIZE = 30 * mm
PAYMENT_QR_COLUMN = 160.0  # wide enough for the caption on one line
SEAL_DIAMETER = 38 * mm
_BOTTOM = MARGIN + 8 * mm  # room for the page number line


@dataclass(frozen=True)
class PaymentBlock:
    """The taxes and fees due, as the payment task formats them (amounts in yuan, e.g. "80.00")."""

    lines: tuple[tuple[str, str], ...]  # (项目, 金额)
    total: str
    payment_qr_payload: str | None = None
    expires_at: dt.datetime | None = None  # when the payment QR stops being accepted


@dataclass(frozen=True)
class AcceptanceReceiptView:
    """What the 受理凭证 prints; every value is already formatted text (ids already masked)."""

    case_number: str
    accepted_at: dt.datetime
    business_label: str  # e.g. 二手房转移登记
    # (role label, name, masked id), e.g. ("权利人", "王镕", "6405**********1234")
    parties: tuple[tuple[str, str, str], ...]
    unit_number: str
    location: str
    materials_received: tuple[str, ...]
    materials_missing: tuple[str, ...]
    due_date: dt.date  # 承诺办结日期
    clerk_name: str
    window_name: str
    qr_payload: str  # the case-number QR
    payment: PaymentBlock | None = None
    office: str = DEFAULT_OFFICE  # 受理机构
    # This copy's applicant and their 取件码 (only their own copy prints it; None: no code on this copy).
    pickup_holder: str = ""
    pickup_code: str | None = None


def _numbered(items: tuple[str, ...]) -> str:
    return "\n".join(f"{index}. {item}" for index, item in enumerate(items, start=1))


def receipt_rows(view: AcceptanceReceiptView) -> tuple[TableRow, ...]:
    """The ruled rows of the receipt, in printed order (also the text a speed baseline would draw)."""
    parties = "\n".join(f"{role}：{name}　证件号：{masked}" for role, name, masked in view.parties)
    return (
        TableRow("受理编号", view.case_number),
        TableRow("受理时间", format_datetime(view.accepted_at)),
        TableRow("业务类型", view.business_label),
        TableRow("申请人", parties or "无"),
        TableRow("不动产单元号", view.unit_number),
        TableRow("坐落", view.location),
        TableRow("已收材料", _numbered(view.materials_received) or "无"),
        TableRow("需补正材料\n（一次性告知）", _numbered(view.materials_missing) or "无"),
        TableRow(
            "承诺办结日期",
            f"{format_date(view.due_date)}前（补正材料的，自补齐之日起计算）"
            if view.materials_missing
            else f"{format_date(view.due_date)}前",
        ),
        TableRow("受理人", view.clerk_name),
        TableRow("受理窗口", view.window_name),
        *((TableRow("取件码", pickup_text(view)),) if view.pickup_code else ()),
    )


def pickup_text(view: AcceptanceReceiptView) -> str:
    """The 取件码 row: the code, whose it is, and that a reprint voids it."""
    return (
        f"{view.pickup_code}（{view.pickup_holder}本人凭身份证件及本码在自助机领证，仅可使用一次；"
        "请勿告知他人。补打本凭证将重新生成取件码，原码作废）"
    )


def printed_fields(view: AcceptanceReceiptView) -> dict[str, str]:
    """Every printed value by the field name a clerk knows, for the glyph check."""
    fields = {"受理机构": view.office, "受理编号": view.case_number, "业务类型": view.business_label}
    for index, (role, name, masked) in enumerate(view.parties, start=1):
        fields[f"第{index}位申请人的身份"] = role
        fields[f"{role}姓名（第{index}位申请人）"] = name
        fields[f"{role}证件号（第{index}位申请人）"] = masked
    fields.update(
        {
            "不动产单元号": view.unit_number,
            "坐落": view.location,
            "已收材料": "".join(view.materials_received),
            MISSING_MATERIALS_LABEL: "".join(view.materials_missing),
            "受理人": view.clerk_name,
            "受理窗口": view.window_name,
        }
    )
    if view.pickup_code:
        fields["取件码"] = pickup_text(view)
    if view.payment is not None:
        for item, amount in view.payment.lines:
            fields[f"税费项目“{item}”"] = item + amount
        fields["税费合计"] = view.payment.total
    return fields


class _Flow:
    """A cursor down A4 pages: starts a new page (with a short running head) when a block does not fit."""

    def __init__(self, canvas: Canvas, font: str, running_head: str) -> None:
        self.canvas = canvas
        self.font = font
        self.running_head = running_head
        self.page = 1
        self.y = PAGE_HEIGHT - MARGIN

    def room(self) -> float:
        return self.y - _BOTTOM

    def ensure(self, height: float) -> None:
        if height > self.room():
            self.new_page()

    def new_page(self) -> None:
        self._page_number()
        self.canvas.showPage()
        self.page += 1
        self.canvas.setFont(self.font, 9)
        self.canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN, f"{self.running_head}（续）")
        self.y = PAGE_HEIGHT - MARGIN - 8 * mm

    def finish(self) -> None:
        self._page_number()
        self.canvas.showPage()

    def _page_number(self) -> None:
        self.canvas.setFont(self.font, 8)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN, f"第{self.page}页")


def _split_row(row: LaidOutRow, max_height: float) -> list[LaidOutRow]:
    """Cut a row taller than a page into pieces; later pieces are labelled （续）."""
    per_piece = max(1, int((max_height - 2 * CELL_PADDING) // text_height(1, BODY_SIZE)))
    pieces = []
    for start in range(0, len(row.value_lines), per_piece):
        lines = row.value_lines[start : start + per_piece]
        labels = row.label_lines if start == 0 else (*row.label_lines, "（续）")
        height = text_height(max(len(lines), len(labels)), BODY_SIZE) + 2 * CELL_PADDING
        pieces.append(LaidOutRow(row.row, labels, lines, height))
    return pieces


def render_acceptance_receipt(view: AcceptanceReceiptView, *, seal_png: bytes | None = None) -> bytes:
    """The receipt as PDF (one A4 page normally; long material lists continue on further pages)."""
    check_printable(printed_fields(view))
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=f"受理凭证 {view.case_number}", subject="不动产登记受理凭证")
    flow = _Flow(canvas, font, f"不动产登记受理凭证 {view.case_number}")

    _draw_heading(flow, view)
    table = FieldTable(MARGIN, LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH)
    full_page = PAGE_HEIGHT - 2 * MARGIN - 16 * mm
    for laid_out in table.lay_out(receipt_rows(view), font, BODY_SIZE):
        for piece in _split_row(laid_out, full_page) if laid_out.height > full_page else [laid_out]:
            flow.ensure(piece.height)
            flow.y = table.draw(canvas, [piece], flow.y, font, BODY_SIZE)

    if view.payment is not None:
        _draw_payment(flow, view.payment)
    _draw_closing(flow, view, seal_png)
    flow.finish()
    canvas.save()
    return buffer.getvalue()


def _draw_heading(flow: _Flow, view: AcceptanceReceiptView) -> None:
    canvas, font = flow.canvas, flow.font
    top = flow.y
    canvas.setFont(font, 13)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 16, view.office)
    canvas.setFont(font, 20)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 44, "不动产登记受理凭证")
    qr_left = PAGE_WIDTH - MARGIN - CASE_QR_SIZE
    canvas.drawImage(
        image_reader(qr_png(view.qr_payload, box_size=4)),
        qr_left,
        top - CASE_QR_SIZE,
        CASE_QR_SIZE,
        CASE_QR_SIZE,
    )
    canvas.setFont(font, 8)
    canvas.drawCentredString(qr_left + CASE_QR_SIZE / 2, top - CASE_QR_SIZE - 9, CASE_QR_CAPTION)
    flow.y = top - CASE_QR_SIZE - 16


def _draw_payment(flow: _Flow, payment: PaymentBlock) -> None:
    canvas, font, size = flow.canvas, flow.font, BODY_SIZE
    row_height = text_height(1, size) + 2 * CELL_PADDING
    amount_width = 110.0
    qr_width = PAYMENT_QR_COLUMN if payment.payment_qr_payload else 0.0
    table_width = CONTENT_WIDTH - qr_width
    item_width = table_width - amount_width
    rows = [("税费项目", "金额（元）"), *payment.lines, ("合计", payment.total)]
    wrapped = [wrap_text(item, font, size, item_width - 2 * CELL_PADDING) for item, _ in rows]
    heights = [max(row_height, text_height(len(lines), size) + 2 * CELL_PADDING) for lines in wrapped]
    title_height = 20.0
    qr_block = PAYMENT_QR_SIZE + 26 if payment.payment_qr_payload else 0.0
    flow.ensure(title_height + max(sum(heights), qr_block) + 6)

    flow.y -= 6
    canvas.setFont(font, 12)
    canvas.drawString(MARGIN, flow.y - 14, "应缴税费")
    top = flow.y - title_height
    total_height = sum(heights)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN, top - total_height, table_width, total_height)
    canvas.line(MARGIN + item_width, top, MARGIN + item_width, top - total_height)
    y = top
    canvas.setLineWidth(0.5)
    for index, ((_, amount), lines, height) in enumerate(zip(rows, wrapped, heights, strict=True)):
        if index:
            canvas.line(MARGIN, y, MARGIN + table_width, y)
        line_top = y - (height - text_height(len(lines), size)) / 2
        draw_lines(canvas, lines, MARGIN + CELL_PADDING, line_top, font, size)
        amount_x = MARGIN + table_width - CELL_PADDING - stringWidth(amount, font, size)
        draw_lines(canvas, [amount], amount_x, y - (height - text_height(1, size)) / 2, font, size)
        y -= height

    if payment.payment_qr_payload:
        column_left = PAGE_WIDTH - MARGIN - PAYMENT_QR_COLUMN
        canvas.drawImage(
            image_reader(qr_png(payment.payment_qr_payload, box_size=4)),
            column_left + (PAYMENT_QR_COLUMN - PAYMENT_QR_SIZE) / 2,
            top - PAYMENT_QR_SIZE,
            PAYMENT_QR_SIZE,
            PAYMENT_QR_SIZE,
        )
        caption = [PAYMENT_QR_CAPTION]
        if payment.expires_at is not None:
            caption.append(f"有效期至{format_datetime(payment.expires_at)}")
        caption_lines = [part for text in caption for part in wrap_text(text, font, 8.5, PAYMENT_QR_COLUMN)]
        draw_lines(
            canvas,
            caption_lines,
            column_left,
            top - PAYMENT_QR_SIZE - 2,
            font,
            8.5,
            centred_in=PAYMENT_QR_COLUMN,
        )
    flow.y = top - max(total_height, qr_block)


def _draw_closing(flow: _Flow, view: AcceptanceReceiptView, seal_png: bytes | None) -> None:
    """The notice on the left, the office block (and seal) on the right, side by side to save height."""
    canvas, font = flow.canvas, flow.font
    notice = (
        "温馨提示：请妥善保管本凭证，凭本凭证及申请人身份证明领取登记结果；"
        "如需补正材料，请一次性补齐后到任一受理窗口提交。"
    )
    block_width = 75 * mm
    notice_lines = wrap_text(notice, font, 9, CONTENT_WIDTH - block_width - 10)
    block = ("受理机构（章）", view.office, format_date(view.accepted_at.date()))
    block_height = text_height(len(block), 12)
    # The seal may overlap what is above it, as a stamp does; only its lower half needs its own room.
    seal_below = (SEAL_DIAMETER - block_height) / 2 if seal_png is not None else 0.0
    flow.ensure(12 + max(text_height(len(notice_lines), 9), block_height + seal_below))
    flow.y -= 12
    draw_lines(canvas, notice_lines, MARGIN, flow.y, font, 9)
    block_left = PAGE_WIDTH - MARGIN - block_width
    draw_lines(canvas, block, block_left, flow.y, font, 12, centred_in=block_width)
    if seal_png is not None:
        draw_seal(canvas, seal_png, block_left + block_width / 2, flow.y - block_height / 2, SEAL_DIAMETER)
    flow.y -= max(text_height(len(notice_lines), 9), block_height + seal_below)
