"""A bank's one-page document (contract, loan-settlement proof, power of attorney...) as the demo bank draws
it: the title, the document's data as label/value lines, the bank's name at the foot where its seal goes."""

from __future__ import annotations

import io

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, new_canvas, wrap_text

MM = 72 / 25.4  # points per millimetre


def render_bank_document(title: str, bank_name: str, lines: list[tuple[str, str]]) -> bytes:
    """A one-page A4 document: title, the contract data as label/value lines, the bank's name at the foot."""
    check_printable({label: value for label, value in lines} | {"标题": title, "机构": bank_name})
    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title=title, subject=f"{bank_name} 电子签章文件")
    width, height = PAGE_WIDTH, PAGE_HEIGHT
    y = height - MARGIN - 10 * MM
    canvas.setFont(font, 18)
    canvas.drawCentredString(width / 2, y, title)
    y -= 14 * MM
    size = 11
    label_width = 32 * MM
    for label, value in lines:
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, y, f"{label}：")
        for part in wrap_text(value, font, size, width - 2 * MARGIN - label_width) or [""]:
            canvas.drawString(MARGIN + label_width, y, part)
            y -= size * 1.6
        y -= 2
    y -= 10 * MM
    canvas.setFont(font, size)
    canvas.drawString(width / 2, y, f"{bank_name}（盖章）")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
