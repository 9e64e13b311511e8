"""PDFs of the 不动产权证书 and the 不动产登记证明, laid out like the national forms' registration page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    FieldTable,
    LaidOutRow,
    TableRow,
    draw_lines,
    draw_seal,
    format_date,
    image_reader,
    new_canvas,
    text_height,
    wrap_text,
)
from registry_desk.documents.qr import qr_png
from registry_desk.domain.errors import ValidationError

DEFAULT_ISSUER = "中卫市自然资源局"

# Font sizes tried in turn until the table and 附记 fit on the page; below the last one a certificate
# would be hard to read, so the renderer refuses instead (see _fit).
BODY_SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5)

LABEL_WIDTH = 92.0
TABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 26 * mm
SEAL_DIAMETER = 42 * mm  # the usual size of a registration authority's seal
FOOTER_HEIGHT = 48 * mm  # QR, issuer block and the 电子证照标识 line
NOTES_GAP = 6.0


@dataclass(frozen=True)
class RightCertificateView:
    """What a 不动产权证书 prints, already formatted as text (the renderer adds no wording of its own)."""

    number: str  # 证号, e.g. 宁(2026)中卫市不动产权第0000001号
    right_holders: str  # 权利人
    co_ownership: str  # 共有情况
    location: str  # 坐落
    unit_number: str  # 不动产单元号
    right_type: str  # 权利类型
    right_nature: str  # 权利性质
    use: str  # 用途
    area: str  # 面积
    term: str  # 使用期限
    other_status: str  # 权利其他状况, may hold several lines
    notes: str  # 附记, may hold several lines
    issued_on: dt.date
    qr_payload: str
    issuer: str = DEFAULT_ISSUER  # 登记机构
    paper_serial: str | None = None  # 权证印刷序列号 of the blank it is printed on
    ecert_id: str | None = None  # 电子证照标识
    # A certificate no longer current (已注销) says so on the page: this line under its number and a
    # watermark across it; None for a current one.
    status_line: str | None = None


@dataclass(frozen=True)
class RegistrationProofView:
    """What a 不动产登记证明 prints (e.g. for a mortgage: 抵押方式, 债权数额, 债务履行期限 under 其他)."""

    number: str  # e.g. 宁(2026)中卫市不动产证明第0000001号
    matter: str  # 证明权利或事项, e.g. 抵押权
    right_holders: str  # 权利人(申请人)
    obligors: str  # 义务人
    location: str  # 坐落
    unit_number: str  # 不动产单元号
    other: str  # 其他
    notes: str  # 附记
    issued_on: dt.date
    qr_payload: str
    issuer: str = DEFAULT_ISSUER
    paper_serial: str | None = None
    ecert_id: str | None = None
    status_line: str | None = None  # as on RightCertificateView


@dataclass(frozen=True)
class CertificatePage:
    """Everything one certificate-like page prints, in drawing order (usable for a bare baseline too)."""

    title: str
    subject: str
    number: str
    rows: tuple[TableRow, ...]
    notes: str
    issuer: str
    issued_on_text: str
    qr_payload: str
    paper_serial: str | None
    ecert_id: str | None
    status_line: str | None = None

    def printed_fields(self) -> dict[str, str]:
        """Every printed text by the field name a clerk knows, for the glyph check and for tests."""
        fields = {"证号": self.number}
        fields.update((row.label.replace("\n", ""), row.value) for row in self.rows)
        fields["附记"] = self.notes
        fields["登记机构"] = self.issuer
        if self.paper_serial is not None:
            fields["印刷序列号"] = self.paper_serial
        if self.ecert_id is not None:
            fields["电子证照标识"] = self.ecert_id
        if self.status_line is not None:
            fields["证书状态"] = self.status_line
        return fields

    def text_lines(self) -> list[str]:
        """The texts in drawing order (labels and values), e.g. for a plain-reportlab speed baseline."""
        lines = [self.title, self.number, *([self.status_line] if self.status_line else [])]
        for row in self.rows:
            lines += [row.label, row.value]
        lines += ["附记", self.notes, "登记机构（章）", self.issuer, self.issued_on_text, "扫码验真"]
        return lines


def right_certificate_page(view: RightCertificateView) -> CertificatePage:
    """The 不动产权证书 fields in the national form's order."""
    rows = (
        TableRow("权利人", view.right_holders),
        TableRow("共有情况", view.co_ownership),
        TableRow("坐落", view.location),
        TableRow("不动产单元号", view.unit_number),
        TableRow("权利类型", view.right_type),
        TableRow("权利性质", view.right_nature),
        TableRow("用途", view.use),
        TableRow("面积", view.area),
        TableRow("使用期限", view.term),
        TableRow("权利其他状况", view.other_status, min_height=90.0, grows=True),
    )
    return CertificatePage(
        "不动产权证书",
        f"不动产权证书 {view.number}",
        view.number,
        rows,
        view.notes,
        view.issuer,
        format_date(view.issued_on),
        view.qr_payload,
        view.paper_serial,
        view.ecert_id,
        view.status_line,
    )


def registration_proof_page(view: RegistrationProofView) -> CertificatePage:
    """The 不动产登记证明 fields in the national form's order."""
    rows = (
        TableRow("证明权利或事项", view.matter),
        TableRow("权利人\n（申请人）", view.right_holders),
        TableRow("义务人", view.obligors),
        TableRow("坐落", view.location),
        TableRow("不动产单元号", view.unit_number),
        TableRow("其他", view.other, min_height=90.0, grows=True),
    )
    return CertificatePage(
        "不动产登记证明",
        f"不动产登记证明 {view.number}",
        view.number,
        rows,
        view.notes,
        view.issuer,
        format_date(view.issued_on),
        view.qr_payload,
        view.paper_serial,
        view.ecert_id,
        view.status_line,
    )


def render_right_certificate(view: RightCertificateView, *, seal_png: bytes | None = None) -> bytes:
    """One A4 page PDF of the certificate; refuses (ValidationError) text the font cannot print."""
    return render_page(right_certificate_page(view), seal_png=seal_png)


def render_registration_proof(view: RegistrationProofView, *, seal_png: bytes | None = None) -> bytes:
    """One A4 page PDF of the registration proof; refuses (ValidationError) text the font cannot print."""
    return render_page(registration_proof_page(view), seal_png=seal_png)


# -- drawing ---------------------------------------------------------------------------------------------

_TITLE_SIZE = 24.0
_NUMBER_SIZE = 12.0
_SMALL_SIZE = 8.0
_TABLE_TOP = PAGE_HEIGHT - MARGIN - 30 * mm
_TABLE_BOTTOM = MARGIN + FOOTER_HEIGHT


@dataclass(frozen=True)
class _Fit:
    size: float
    rows: list[LaidOutRow]
    notes_lines: list[str]
    notes_height: float


def _notes_box_height(line_count: int, size: float) -> float:
    # A title strip "附记" above the text, as on the form's facing page.
    return size * 2.0 + text_height(line_count, size) + 2 * 5.0


def _fit(page: CertificatePage, table: FieldTable, font: str) -> _Fit:
    available = _TABLE_TOP - _TABLE_BOTTOM - NOTES_GAP
    for size in BODY_SIZES:
        rows = table.lay_out(page.rows, font, size)
        notes_lines = wrap_text(page.notes, font, size, TABLE_WIDTH - 2 * 5.0)
        notes_height = max(_notes_box_height(len(notes_lines), size), 80.0)
        used = table.height(rows) + notes_height
        if used <= available:
            # The spare height goes half to the growing table rows and half to 附记, like the printed blank.
            spare = available - used
            rows = table.grow(rows, spare / 2)
            return _Fit(size, rows, notes_lines, notes_height + spare / 2)
    raise ValidationError(
        f"{page.title}内容超出一页版面（已缩至{BODY_SIZES[-1]:g}磅字仍放不下），不能打印；请精简附记或权利其他状况",
        rule="证书须在一页内完整印出",
        record=page.number,
    )


def render_page(page: CertificatePage, *, seal_png: bytes | None = None) -> bytes:
    """Draw a CertificatePage (the common form of both documents) to PDF bytes."""
    check_printable(page.printed_fields())
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=page.subject, subject=page.title)
    table = FieldTable(MARGIN, LABEL_WIDTH, TABLE_WIDTH - LABEL_WIDTH)
    fit = _fit(page, table, font)

    _draw_heading(canvas, page, font)
    bottom = table.draw(canvas, fit.rows, _TABLE_TOP, font, fit.size)
    _draw_notes(canvas, fit, bottom - NOTES_GAP, font)
    _draw_footer(canvas, page, font, seal_png)
    if page.status_line:
        _draw_status_watermark(canvas, font)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_heading(canvas: Canvas, page: CertificatePage, font: str) -> None:
    canvas.setFont(font, _TITLE_SIZE)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - 12 * mm, page.title)
    canvas.setFont(font, _NUMBER_SIZE)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - 24 * mm, page.number)
    if page.paper_serial:
        canvas.setFont(font, _SMALL_SIZE)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN + 2, f"印刷序列号：{page.paper_serial}"
        )
    if page.status_line:
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.0, 0.0)
        canvas.setFont(font, _SMALL_SIZE + 1)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - 28.5 * mm, page.status_line)
        canvas.restoreState()


WATERMARK = "已注销　仅供查档"


def _draw_status_watermark(canvas: Canvas, font: str) -> None:
    # Across the whole page, over the content but translucent, so every field stays legible and no copy of
    # the page can be mistaken for a certificate in force.
    canvas.saveState()
    canvas.setFillColorRGB(0.8, 0.0, 0.0)
    canvas.setFillAlpha(0.18)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(35)
    canvas.setFont(font, 54)
    canvas.drawCentredString(0, -18, WATERMARK)
    canvas.restoreState()


def _draw_notes(canvas: Canvas, fit: _Fit, top: float, font: str) -> None:
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN, top - fit.notes_height, TABLE_WIDTH, fit.notes_height)
    canvas.setFont(font, fit.size)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - fit.size * 1.4, "附　记")
    draw_lines(canvas, fit.notes_lines, MARGIN + 5.0, top - fit.size * 2.0 - 5.0, font, fit.size)


def _draw_footer(canvas: Canvas, page: CertificatePage, font: str, seal_png: bytes | None) -> None:
    qr_bottom = MARGIN + 12 * mm
    canvas.drawImage(image_reader(qr_png(page.qr_payload, box_size=4)), MARGIN, qr_bottom, QR_SIZE, QR_SIZE)
    canvas.setFont(font, 9)
    canvas.drawCentredString(MARGIN + QR_SIZE / 2, qr_bottom - 11, "扫码验真")

    # The issuer block sits right of centre like the form's seal area; the seal covers it.
    centre_x = PAGE_WIDTH - MARGIN - 50 * mm
    lines: Sequence[str] = ("登记机构（章）", page.issuer, page.issued_on_text)
    size = 12.0
    block_top = MARGIN + 36 * mm
    draw_lines(canvas, lines, centre_x - 50 * mm, block_top, font, size, centred_in=100 * mm)
    if seal_png is not None:
        block_centre_y = block_top - text_height(len(lines), size) / 2
        draw_seal(canvas, seal_png, centre_x, block_centre_y, SEAL_DIAMETER)

    if page.ecert_id:
        canvas.setFont(font, _SMALL_SIZE)
        text = f"电子证照标识：{page.ecert_id}"
        if stringWidth(text, font, _SMALL_SIZE) > TABLE_WIDTH:
            text = page.ecert_id
        canvas.drawString(MARGIN, MARGIN, text)
