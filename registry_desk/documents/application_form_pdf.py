"""PDF of the 不动产登记申请书 (application form), filled from a case, with the applicants' signatures in its 签章 cells.

The blocks follow REFERENCE §4: 收件, 申请登记事项 (check boxes), 申请人情况 (权利人 and 义务人), 不动产情况,
抵押情况, 登记原因及证明, 申请证书版式 / 申请分别持证, 备注, and 申请人 / 代理人 签章 with dates.
[unverified] The official Ningxia template was not retrieved: the blocks and their order are those commonly
printed on 不动产登记申请书 forms, drawn as a ruled table with the block name in a narrow left column. The
renderer prints only the view's text (no wording of its own beyond labels), so a verified template can
change the labels without touching the services.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import (
    CELL_PADDING,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    draw_lines,
    draw_seal,
    format_date,
    image_reader,
    new_canvas,
    text_height,
    wrap_text,
)

TITLE = "不动产登记申请书"
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
SECTION_COLUMN = 26.0  # the narrow left column holding the block's name, one character per line
GRID_WIDTH = CONTENT_WIDTH - SECTION_COLUMN
LABEL_SIZE = 8.5
VALUE_SIZE = 9.5
BOTTOM = MARGIN + 8 * mm  # room for the page footer
SIGNATURE_HEIGHT = 16 * mm  # the drawn signature inside a 签章 cell
SIGNATURE_CELL = SIGNATURE_HEIGHT + 2 * text_height(1, LABEL_SIZE) + 3 * CELL_PADDING
SEAL_DIAMETER = 34 * mm
BOX = 7.0  # side of a check box, in points

# The usual check-box lists of the form (REFERENCE §3 code lists).
RIGHT_TYPE_CHOICES = (
    "国有建设用地使用权/房屋所有权",
    "抵押权",
    "预告登记",
    "异议登记",
    "查封登记",
    "地役权",
)
REGISTRATION_TYPE_CHOICES = (
    "首次登记",
    "转移登记",
    "变更登记",
    "注销登记",
    "更正登记",
    "异议登记",
    "预告登记",
    "查封登记",
    "其他",
)
CERTIFICATE_FORMATS = ("单一版", "集成版")


@dataclass(frozen=True)
class ApplicantBlock:
    """One applicant's lines of 申请人情况; `role` is the form's 权利人 / 义务人, `role_detail` the business's
    own name for it (抵押权人, 抵押人, 转让方 …)."""

    role: str
    role_detail: str
    name: str
    id_type: str
    id_number: str
    address: str = ""
    postcode: str = ""
    legal_rep: str = ""
    phone: str = ""
    agent_name: str = ""
    agent_org: str = ""
    agent_phone: str = ""


@dataclass(frozen=True)
class SignatureSlot:
    """A 签章 cell: who signs (name and role), the signature image (transparent PNG) and the date."""

    role: str  # e.g. 申请人（抵押人）, 代理人
    name: str
    png: bytes | None
    signed_on: dt.date | None
    placeholder: str = "（未签名）"  # printed when there is no image, e.g. 见电子签章件


@dataclass(frozen=True)
class ApplicationFormView:
    """Everything the form prints, already formatted as text."""

    case_number: str  # 收件编号
    received_by: str  # 收件人
    received_on: dt.date
    right_type: str  # one of RIGHT_TYPE_CHOICES is ticked
    registration_type: str  # one of REGISTRATION_TYPE_CHOICES is ticked
    applicants: tuple[ApplicantBlock, ...]
    location: str
    unit_number: str
    property_type: str
    area: str
    use: str
    previous_certificate: str  # 原不动产权属证书号 / 登记证明号
    reason: str  # 登记原因及证明
    mortgage: tuple[tuple[str, str], ...] = ()  # 抵押情况 (label, value); empty: the block says 无
    certificate_format: str = "单一版"
    separate_holding: bool = False  # 申请分别持证
    notes: str = ""
    signatures: tuple[SignatureSlot, ...] = ()
    office: str = ""  # the centre, printed under the seal when the form is sealed
    business_label: str = ""

    def printed_fields(self) -> dict[str, str]:
        """Every printed text by the field name a clerk knows (for the glyph check and for tests)."""
        fields = {
            "收件编号": self.case_number,
            "收件人": self.received_by,
            "业务类型": self.business_label,
            "坐落": self.location,
            "不动产单元号": self.unit_number,
            "不动产类型": self.property_type,
            "面积": self.area,
            "用途": self.use,
            "原不动产权属证书号": self.previous_certificate,
            "登记原因及证明": self.reason,
            "备注": self.notes,
            "登记机构": self.office,
        }
        for index, a in enumerate(self.applicants, start=1):
            for label, value in (
                ("姓名（名称）", a.name),
                ("身份", a.role_detail),
                ("证件种类", a.id_type),
                ("证件号", a.id_number),
                ("通讯地址", a.address),
                ("邮编", a.postcode),
                ("法定代表人或负责人", a.legal_rep),
                ("联系电话", a.phone),
                ("代理人姓名", a.agent_name),
                ("代理机构", a.agent_org),
                ("代理人电话", a.agent_phone),
            ):
                fields[f"第{index}位申请人的{label}"] = value
        for label, value in self.mortgage:
            fields[f"抵押情况：{label}"] = label + value
        for slot in self.signatures:
            fields[f"签章：{slot.role}"] = slot.role + slot.name + slot.placeholder
        return fields


# ---------------------------------------------------------------------------------------------------------
# Cells and rows


@dataclass(frozen=True)
class _Cell:
    width: float
    text: str = ""
    label: bool = False  # labels are centred and smaller
    checks: tuple[tuple[str, bool], ...] = ()
    signature: SignatureSlot | None = None


@dataclass
class _Row:
    cells: tuple[_Cell, ...]
    heading: bool = False  # a sub-heading row (e.g. 权利人（抵押权人）第1位)
    height: float = 0.0
    lines: list[list[str]] = field(default_factory=list)


def _check_lines(checks: Sequence[tuple[str, bool]], font: str, width: float) -> list[list[tuple[str, bool]]]:
    """Check-box items laid out left to right, wrapping to new lines when the cell is full."""
    lines: list[list[tuple[str, bool]]] = [[]]
    used = 0.0
    for label, ticked in checks:
        need = BOX + 3 + stringWidth(label, font, VALUE_SIZE) + 10
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0.0
        lines[-1].append((label, ticked))
        used += need
    return lines


def _lay_out(row: _Row, font: str) -> _Row:
    heights = []
    row.lines = []
    for cell in row.cells:
        inner = cell.width - 2 * CELL_PADDING
        if cell.signature is not None:
            row.lines.append([])
            heights.append(SIGNATURE_CELL)
            continue
        if cell.checks:
            count = len(_check_lines(cell.checks, font, inner))
            row.lines.append([])
            heights.append(text_height(count, VALUE_SIZE) + 2 * CELL_PADDING)
            continue
        size = LABEL_SIZE if cell.label else VALUE_SIZE
        lines = wrap_text(cell.text, font, size, inner)
        row.lines.append(lines)
        heights.append(text_height(len(lines), size) + 2 * CELL_PADDING)
    row.height = max(heights)
    return row


def _pairs(*items: tuple[str, str], weights: Sequence[float] | None = None) -> tuple[_Cell, ...]:
    """label/value cells across the grid; `weights` are the value cells' shares of the width left."""
    label_width = {1: 80.0, 2: 62.0}.get(len(items), 56.0)
    room = GRID_WIDTH - label_width * len(items)
    shares = list(weights) if weights else [1.0] * len(items)
    total = sum(shares)
    cells: list[_Cell] = []
    for (label, value), share in zip(items, shares, strict=True):
        cells.append(_Cell(label_width, label, label=True))
        cells.append(_Cell(room * share / total, value))
    return tuple(cells)


def _full(label: str, value: str = "", *, checks: tuple[tuple[str, bool], ...] = ()) -> tuple[_Cell, ...]:
    return (_Cell(80.0, label, label=True), _Cell(GRID_WIDTH - 80.0, value, checks=checks))


# ---------------------------------------------------------------------------------------------------------
# The blocks


def _sections(view: ApplicationFormView) -> list[tuple[str, list[_Row]]]:
    def ticks(choices: Sequence[str], chosen: str) -> tuple[tuple[str, bool], ...]:
        return tuple((c, c == chosen) for c in choices)

    received = (
        _Cell(50.0, "编号", label=True),
        _Cell(130.0, view.case_number),
        _Cell(50.0, "收件人", label=True),
        _Cell(GRID_WIDTH - 50.0 * 3 - 130.0 - 90.0, view.received_by),
        _Cell(50.0, "日期", label=True),
        _Cell(90.0, format_date(view.received_on)),
    )
    sections: list[tuple[str, list[_Row]]] = [("收件", [_Row(received)])]
    sections.append(
        (
            "申请登记事项",
            [
                _Row(_full("权利类型", checks=ticks(RIGHT_TYPE_CHOICES, view.right_type))),
                _Row(_full("登记类型", checks=ticks(REGISTRATION_TYPE_CHOICES, view.registration_type))),
            ],
        )
    )
    people: list[_Row] = []
    counters: dict[str, int] = {}
    for a in view.applicants:
        counters[a.role] = counters.get(a.role, 0) + 1
        heading = (
            f"{a.role}（{a.role_detail}）第{counters[a.role]}位"
            if a.role_detail != a.role
            else (f"{a.role}第{counters[a.role]}位")
        )
        people.append(_Row((_Cell(GRID_WIDTH, heading, label=True),), heading=True))
        people.append(
            _Row(
                _pairs(
                    ("姓名（名称）", a.name),
                    ("证件种类", a.id_type),
                    ("证件号", a.id_number),
                    weights=(1.3, 0.8, 1.3),
                )
            )
        )
        people.append(
            _Row(
                _pairs(
                    ("通讯地址", a.address),
                    ("邮编", a.postcode),
                    ("联系电话", a.phone),
                    weights=(1.7, 0.5, 1.0),
                )
            )
        )
        people.append(
            _Row(
                _pairs(
                    ("法定代表人或负责人", a.legal_rep),
                    ("代理人姓名", a.agent_name),
                    ("代理机构及电话", "　".join(t for t in (a.agent_org, a.agent_phone) if t)),
                )
            )
        )
    sections.append(("申请人情况", people))
    sections.append(
        (
            "不动产情况",
            [
                _Row(_full("坐落", view.location)),
                _Row(
                    _pairs(
                        ("不动产单元号", view.unit_number),
                        ("不动产类型", view.property_type),
                        weights=(1.5, 0.7),
                    )
                ),
                _Row(_pairs(("面积", view.area), ("用途", view.use))),
                _Row(_full("原不动产权属证书号或登记证明号", view.previous_certificate)),
            ],
        )
    )
    mortgage_rows = [_Row(_full(label, value)) for label, value in view.mortgage] or [
        _Row(_full("抵押情况", "无"))
    ]
    sections.append(("抵押情况", mortgage_rows))
    sections.append(("登记原因及证明", [_Row(_full("登记原因及证明", view.reason))]))
    sections.append(
        (
            "申请证书版式",
            [
                _Row(
                    (
                        _Cell(80.0, "申请证书版式", label=True),
                        _Cell(
                            GRID_WIDTH / 2 - 80.0, checks=ticks(CERTIFICATE_FORMATS, view.certificate_format)
                        ),
                        _Cell(80.0, "申请分别持证", label=True),
                        _Cell(
                            GRID_WIDTH / 2 - 80.0,
                            checks=(("是", view.separate_holding), ("否", not view.separate_holding)),
                        ),
                    )
                )
            ],
        )
    )
    sections.append(("备注", [_Row(_full("备注", view.notes))]))
    slots = list(view.signatures)
    signature_rows = []
    half = GRID_WIDTH / 2
    for start in range(0, len(slots), 2):
        pair = slots[start : start + 2]
        cells = [_Cell(half, signature=slot) for slot in pair]
        if len(pair) == 1:
            cells.append(_Cell(half, ""))
        signature_rows.append(_Row(tuple(cells)))
    if not signature_rows:
        signature_rows.append(_Row((_Cell(GRID_WIDTH, ""),)))
    sections.append(("签章", signature_rows))
    return sections


# ---------------------------------------------------------------------------------------------------------
# Drawing


class _Pages:
    def __init__(self, canvas: Canvas, font: str, view: ApplicationFormView) -> None:
        self.canvas = canvas
        self.font = font
        self.view = view
        self.page = 1
        self.y = PAGE_HEIGHT - MARGIN

    def room(self) -> float:
        return self.y - BOTTOM

    def footer(self) -> None:
        self.canvas.setFont(self.font, 8)
        self.canvas.drawCentredString(
            PAGE_WIDTH / 2, MARGIN, f"{TITLE}　收件编号 {self.view.case_number}　第{self.page}页"
        )

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.canvas.setFont(self.font, 9)
        self.canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN, f"{TITLE}（续）")
        self.y = PAGE_HEIGHT - MARGIN - 6 * mm


def _draw_checks(canvas: Canvas, cell: _Cell, x: float, top: float, font: str) -> None:
    y_top = top - CELL_PADDING
    leading = text_height(1, VALUE_SIZE)
    for line in _check_lines(cell.checks, font, cell.width - 2 * CELL_PADDING):
        cx = x + CELL_PADDING
        box_bottom = y_top - (leading + BOX) / 2
        for label, ticked in line:
            canvas.rect(cx, box_bottom, BOX, BOX)
            if ticked:
                # A drawn tick: the font has no ☑, and a drawn mark prints the same on every viewer.
                path = canvas.beginPath()
                path.moveTo(cx + 1.2, box_bottom + BOX * 0.5)
                path.lineTo(cx + BOX * 0.42, box_bottom + 1.2)
                path.lineTo(cx + BOX - 0.8, box_bottom + BOX - 0.6)
                canvas.setLineWidth(1.2)
                canvas.drawPath(path, stroke=1, fill=0)
                canvas.setLineWidth(0.5)
            draw_lines(canvas, [label], cx + BOX + 3, y_top, font, VALUE_SIZE)
            cx += BOX + 3 + stringWidth(label, font, VALUE_SIZE) + 10
        y_top -= leading


def _draw_signature(
    canvas: Canvas, slot: SignatureSlot, x: float, top: float, width: float, font: str
) -> None:
    inner = width - 2 * CELL_PADDING
    draw_lines(canvas, [f"{slot.role}：{slot.name}"], x + CELL_PADDING, top - CELL_PADDING, font, LABEL_SIZE)
    image_top = top - CELL_PADDING - text_height(1, LABEL_SIZE)
    if slot.png:
        canvas.drawImage(
            image_reader(slot.png),
            x + CELL_PADDING,
            image_top - SIGNATURE_HEIGHT,
            width=inner,
            height=SIGNATURE_HEIGHT,
            mask="auto",
            preserveAspectRatio=True,
            anchor="w",
        )
    else:
        draw_lines(
            canvas,
            [slot.placeholder],
            x + CELL_PADDING,
            image_top - (SIGNATURE_HEIGHT - text_height(1, VALUE_SIZE)) / 2,
            font,
            VALUE_SIZE,
        )
    when = format_date(slot.signed_on) if slot.signed_on else "　　年　　月　　日"
    date_text = f"日期：{when}"
    date_x = x + width - CELL_PADDING - stringWidth(date_text, font, LABEL_SIZE)
    draw_lines(canvas, [date_text], date_x, image_top - SIGNATURE_HEIGHT - CELL_PADDING / 2, font, LABEL_SIZE)


def _draw_row(canvas: Canvas, row: _Row, left: float, top: float, font: str) -> None:
    x = left
    for cell, lines in zip(row.cells, row.lines, strict=True):
        canvas.rect(x, top - row.height, cell.width, row.height)
        if cell.signature is not None:
            _draw_signature(canvas, cell.signature, x, top, cell.width, font)
        elif cell.checks:
            _draw_checks(canvas, cell, x, top, font)
        elif cell.label or row.heading:
            size = LABEL_SIZE
            line_top = top - (row.height - text_height(len(lines), size)) / 2
            if row.heading:
                draw_lines(canvas, lines, x + CELL_PADDING, line_top, font, size)
            else:
                draw_lines(
                    canvas,
                    lines,
                    x + CELL_PADDING,
                    line_top,
                    font,
                    size,
                    centred_in=cell.width - 2 * CELL_PADDING,
                )
        else:
            line_top = top - (row.height - text_height(len(lines), VALUE_SIZE)) / 2
            draw_lines(canvas, lines, x + CELL_PADDING, line_top, font, VALUE_SIZE)
        x += cell.width


def _draw_section_name(canvas: Canvas, name: str, top: float, bottom: float, font: str) -> None:
    canvas.rect(MARGIN, bottom, SECTION_COLUMN, top - bottom)
    # Written downwards as on the printed forms; a block only one row tall (备注, 登记原因及证明) gets two
    # or three characters a line instead, and a smaller size only as a last resort.
    room = top - bottom - CELL_PADDING
    size = LABEL_SIZE
    while True:
        rows = max(1, int(room // text_height(1, size)))
        per_line = -(-len(name) // rows)
        if per_line * size <= SECTION_COLUMN - 2 or size <= 5:
            break
        size -= 0.5
    lines = [name[i : i + per_line] for i in range(0, len(name), per_line)]
    line_top = top - (top - bottom - text_height(len(lines), size)) / 2
    draw_lines(canvas, lines, MARGIN, line_top, font, size, centred_in=SECTION_COLUMN)


def _draw_heading(pages: _Pages) -> None:
    canvas, font, view = pages.canvas, pages.font, pages.view
    canvas.setFont(font, 18)
    canvas.drawCentredString(PAGE_WIDTH / 2, pages.y - 20, TITLE)
    canvas.setFont(font, 9)
    if view.business_label:
        canvas.drawString(MARGIN, pages.y - 38, f"业务类型：{view.business_label}")
    canvas.drawRightString(PAGE_WIDTH - MARGIN, pages.y - 38, "单位：元、平方米")
    pages.y -= 44


def _draw_closing(pages: _Pages, seal_png: bytes | None) -> None:
    """The centre's line (and seal) under the table: the form was captured and sealed at its counter."""
    canvas, font, view = pages.canvas, pages.font, pages.view
    if not view.office:
        return
    block = (f"登记机构（章）：{view.office}　{format_date(view.received_on)}",)
    text = text_height(len(block), 10)
    # The seal may overlap the table above it, as a stamp does, and dip into the space kept for the footer.
    height = (
        10 + text + (max(0.0, SEAL_DIAMETER / 2 - text / 2 - (BOTTOM - MARGIN - 10)) if seal_png else 0.0)
    )
    if height > pages.room():
        pages.new_page()
    top = pages.y - 10
    block_width = 100 * mm
    left = PAGE_WIDTH - MARGIN - block_width
    draw_lines(canvas, block, left, top, font, 10, centred_in=block_width)
    if seal_png is not None:
        draw_seal(canvas, seal_png, left + block_width / 2, top - text / 2, SEAL_DIAMETER)
    pages.y = top - height


def render_application_form(view: ApplicationFormView, *, seal_png: bytes | None = None) -> bytes:
    """The filled form as PDF (one or two A4 pages; more with many applicants)."""
    check_printable(view.printed_fields())
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=f"{TITLE} {view.case_number}", subject=TITLE)
    canvas.setLineWidth(0.5)
    pages = _Pages(canvas, font, view)
    _draw_heading(pages)
    grid_left = MARGIN + SECTION_COLUMN
    for name, rows in _sections(view):
        laid = [_lay_out(row, font) for row in rows]
        chunk_top = pages.y
        drawn_any = False
        for row in laid:
            if row.height > pages.room():
                if drawn_any:
                    _draw_section_name(canvas, name, chunk_top, pages.y, font)
                pages.new_page()
                chunk_top = pages.y
                drawn_any = False
            _draw_row(canvas, row, grid_left, pages.y, font)
            pages.y -= row.height
            drawn_any = True
        if drawn_any:
            _draw_section_name(canvas, name, chunk_top, pages.y, font)
    _draw_closing(pages, seal_png)
    pages.footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
