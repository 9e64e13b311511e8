"""The PDF preview and printing: pages rendered on white, printed through QPrinter, saved byte for byte."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import QSize
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from registry_desk.domain.errors import ValidationError
from registry_desk.ui.pdf_preview import PdfPreviewDialog
from registry_desk.ui.printing import PdfBytes, print_pdf_to_file, render_page


def _two_pages() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in (1, 2):
        c.setFont("Helvetica", 28)
        c.drawString(72, 700, f"Page {n}")
        c.rect(60, 60, 200, 200, fill=1)
        c.showPage()
    c.save()
    return out.getvalue()


def test_a_rendered_page_is_on_white_paper_not_transparent(qtbot):
    pdf = PdfBytes(_two_pages())
    image = render_page(pdf.document, 0, QSize(120, 170))
    assert image.hasAlphaChannel() is False
    assert image.pixelColor(110, 5).name() == "#ffffff"  # the corner, outside every mark


def test_print_to_file_keeps_every_page_with_its_marks(tmp_path: Path):
    out = tmp_path / "printed.pdf"
    assert print_pdf_to_file(_two_pages(), out, dpi=72) == 2
    printed = pypdfium2.PdfDocument(str(out))
    assert len(printed) == 2
    width, height = printed[0].get_size()
    assert abs(width - 595) < 2 and abs(height - 842) < 2, "A4 stays A4"
    gray = printed[1].render(scale=0.2).to_pil().convert("L")
    assert gray.getextrema() == (0, 255), "black square on a white sheet"
    printed.close()


def test_not_a_pdf_is_refused_with_a_message():
    with pytest.raises(ValidationError, match="无法读取要打印的PDF文件"):
        PdfBytes(b"%PDF-1.4 but not really")


def test_preview_zooms_and_saves_the_sealed_bytes_unchanged(qtbot, tmp_path: Path):
    data = _two_pages()
    dialog = PdfPreviewDialog(data, "受理凭证 202603110001", "受理凭证_202603110001.pdf", save_dir=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.document.pageCount() == 2
    assert dialog.pages_label.text() == "共 2 页"
    before = dialog.view.zoomFactor()
    dialog.zoom_in()
    assert dialog.view.zoomFactor() == pytest.approx(before * 1.25)
    dialog.zoom_out()
    dialog.zoom_out()
    assert dialog.view.zoomFactor() < before
    target = tmp_path / "copy"
    dialog.save_to(target)
    assert (tmp_path / "copy.pdf").read_bytes() == data
    assert dialog.message.text().startswith("已保存到")
