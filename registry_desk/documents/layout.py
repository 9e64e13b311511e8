"""Drawing helpers shared by the printed documents: CJK line wrapping, ruled label/value tables, dates."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from registry_desk.documents.fonts import register_cjk_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CELL_PADDING = 5.0
LINE_SPACING = 1.35

# 避头尾 (line-start prohibition): these may not begin a line; the character before them moves down too.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’%,.;:?!)]}·～—…℃㎡")
# ...and these may not end one.
_NO_LINE_END = frozenset("（《「『【〔“‘([{")


def _tokens(text: str) -> list[str]:
    """Breakable units: each CJK character alone, runs of Latin letters/digits kept whole."""
    tokens: list[str] = []
    run = ""
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "-_./@#&+"):
            run += ch
            continue
        if run:
            tokens.append(run)
            run = ""
        tokens.append(ch)
    if run:
        tokens.append(run)
    return tokens


def _split_wide(token: str, font: str, size: float, max_width: float) -> list[str]:
    pieces: list[str] = []
    piece = ""
    for ch in token:
        if piece and stringWidth(piece + ch, font, size) > max_width:
            pieces.append(piece)
            piece = ch
        else:
            piece += ch
    if piece:
        pieces.append(piece)
    return pieces


def wrap_text(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Lines of `text` no wider than `max_width` points; "\\n" starts a new line, CJK breaks per character.

    An empty text gives one empty line, so a blank field still takes a row.
    """
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current: list[str] = []
        width = 0.0
        for token in _tokens(paragraph):
            token_width = stringWidth(token, font, size)
            if token_width > max_width:
                # A Latin run wider than the whole cell (a long serial): it has to be broken anyway.
                if current:
                    lines.append("".join(current))
                *full, last = _split_wide(token, font, size, max_width)
                lines.extend(full)
                current, width = [last], stringWidth(last, font, size)
                continue
            if width + token_width <= max_width or not current:
                current.append(token)
                width += token_width
                continue
            carried: list[str] = []
            # Carry characters down until the new line starts with one allowed there ("㎡。" needs two).
            while len(current) > 1 and (carried[0] if carried else token) in _NO_LINE_START:
                carried.insert(0, current.pop())
            while len(current) > 1 and current[-1] in _NO_LINE_END:
                carried.insert(0, current.pop())
            if stringWidth("".join([*carried, token]), font, size) > max_width:
                # A run of punctuation in a narrow cell: staying inside the cell matters more than the rule.
                current += carried
                carried = []
            lines.append("".join(current))
            current = [*carried, token]
            width = stringWidth("".join(current), font, size)
        lines.append("".join(current))
    return lines


def format_date(day: dt.date) -> str:
    """A date as printed on certificates: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_datetime(moment: dt.datetime) -> str:
    """A date and time as printed on receipts: 2026年3月5日 09:07."""
    return f"{format_date(moment.date())} {moment:%H:%M}"


def new_canvas(buffer: io.BytesIO, *, title: str, subject: str) -> tuple[Canvas, str]:
    """An A4 canvas whose only font is the embedded CJK font (no unembedded Helvetica is listed)."""
    font = register_cjk_font()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, initialFontSize=10, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor("registry-desk")
    canvas.setCreator("registry-desk")
    return canvas, font


def image_reader(png: bytes) -> ImageReader:
    return ImageReader(io.BytesIO(png))


def draw_seal(canvas: Canvas, seal_png: bytes, centre_x: float, centre_y: float, diameter: float) -> None:
    """The red seal over an issuer block; its transparent parts leave the text beneath readable."""
    canvas.drawImage(
        image_reader(seal_png),
        centre_x - diameter / 2,
        centre_y - diameter / 2,
        width=diameter,
        height=diameter,
        mask="auto",
        preserveAspectRatio=True,
        anchor="c",
    )


def draw_lines(
    canvas: Canvas,
    lines: Sequence[str],
    x: float,
    top: float,
    font: str,
    size: float,
    *,
    centred_in: float | None = None,
) -> None:
    """Lines from `top` downwards (top = top of the first line's box); centred in a width if given."""
    leading = size * LINE_SPACING
    text = canvas.beginText()
    text.setFont(font, size, leading)
    # The baseline sits about 0.88 em below the top of the line box for this font.
    baseline = top - (leading - size) / 2 - size * 0.88
    for index, line in enumerate(lines):
        offset = 0.0
        if centred_in is not None:
            offset = (centred_in - stringWidth(line, font, size)) / 2
        text.setTextOrigin(x + offset, baseline - index * leading)
        text.textOut(line)
    canvas.drawText(text)


def text_height(line_count: int, size: float) -> float:
    return line_count * size * LINE_SPACING


@dataclass(frozen=True)
class TableRow:
    """One ruled row: the field name in the left column, the value on the right."""

    label: str
    value: str
    # Rows such as 权利其他状况 are drawn at least this tall and take a share of spare page height.
    min_height: float = 0.0
    grows: bool = False


@dataclass(frozen=True)
class LaidOutRow:
    row: TableRow
    label_lines: tuple[str, ...]
    value_lines: tuple[str, ...]
    height: float


@dataclass(frozen=True)
class FieldTable:
    """A two-column ruled table at `x` with fixed column widths."""

    x: float
    label_width: float
    value_width: float

    def lay_out(self, rows: Sequence[TableRow], font: str, size: float) -> list[LaidOutRow]:
        inner_label = self.label_width - 2 * CELL_PADDING
        inner_value = self.value_width - 2 * CELL_PADDING
        laid_out = []
        for row in rows:
            label_lines = wrap_text(row.label, font, size, inner_label)
            value_lines = wrap_text(row.value, font, size, inner_value)
            natural = text_height(max(len(label_lines), len(value_lines)), size) + 2 * CELL_PADDING
            height = max(natural, row.min_height)
            laid_out.append(LaidOutRow(row, tuple(label_lines), tuple(value_lines), height))
        return laid_out

    @staticmethod
    def height(rows: Sequence[LaidOutRow]) -> float:
        return sum(row.height for row in rows)

    @staticmethod
    def grow(rows: Sequence[LaidOutRow], extra: float) -> list[LaidOutRow]:
        """Share `extra` points among the growing rows, so the table fills the form like the printed blank."""
        growing = [row for row in rows if row.row.grows]
        if extra <= 0 or not growing:
            return list(rows)
        share = extra / len(growing)
        return [
            LaidOutRow(r.row, r.label_lines, r.value_lines, r.height + share) if r.row.grows else r
            for r in rows
        ]

    def draw(self, canvas: Canvas, rows: Sequence[LaidOutRow], top: float, font: str, size: float) -> float:
        """Draw the rows from `top` down; return the bottom edge."""
        canvas.setLineWidth(0.8)
        total = self.height(rows)
        right = self.x + self.label_width + self.value_width
        canvas.rect(self.x, top - total, self.label_width + self.value_width, total)
        canvas.line(self.x + self.label_width, top, self.x + self.label_width, top - total)
        y = top
        canvas.setLineWidth(0.5)
        for index, row in enumerate(rows):
            if index:
                canvas.line(self.x, y, right, y)
            label_top = y - (row.height - text_height(len(row.label_lines), size)) / 2
            draw_lines(
                canvas,
                row.label_lines,
                self.x + CELL_PADDING,
                label_top,
                font,
                size,
                centred_in=self.label_width - 2 * CELL_PADDING,
            )
            value_height = text_height(len(row.value_lines), size)
            if row.row.grows:
                value_top = y - CELL_PADDING
            else:
                value_top = y - (row.height - value_height) / 2
            value_x = self.x + self.label_width + CELL_PADDING
            draw_lines(canvas, row.value_lines, value_x, value_top, font, size)
            y -= row.height
        return y
