"""Printing PDFs the registry issues: each page rendered by QtPdf at the printer's resolution onto its painter."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QMarginsF, QObject, QRect, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from registry_desk.domain.errors import ValidationError

# Points per inch: QPdfDocument.pagePointSize() is in PDF points.
_POINTS_PER_INCH = 72


class PdfBytes(QObject):
    """A QPdfDocument loaded from bytes in memory; keeps the buffer alive as long as the document."""

    def __init__(self, data: bytes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data = bytes(data)
        self._array = QByteArray(self.data)
        self._buffer = QBuffer(self._array, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        if self.document.status() is not QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            raise ValidationError(
                f"无法读取要打印的PDF文件（{self.document.error().name}）", rule="打印", record="PDF"
            )

    @property
    def page_count(self) -> int:
        return self.document.pageCount()


def render_page(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """One page as an image on white paper: QPdfDocument.render() leaves the background transparent,
    which some printer drivers turn black."""
    drawn = document.render(page, size)
    paper = QImage(size, QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, drawn)
    painter.end()
    return paper


def _page_layout(document: QPdfDocument, page: int) -> QPageLayout:
    points = document.pagePointSize(page)
    orientation = (
        QPageLayout.Orientation.Landscape
        if points.width() > points.height()
        else QPageLayout.Orientation.Portrait
    )
    size = QPageSize(points, QPageSize.Unit.Point)
    # Certificates are drawn to the paper's edge on pre-printed blanks: the PDF already has its margins.
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Prints every page of `document` on `printer` (already set up, e.g. by QPrintDialog); returns pages."""
    printer.setPageLayout(_page_layout(document, 0))
    painter = QPainter()
    if not painter.begin(printer):
        raise ValidationError(
            f"无法开始打印（打印机“{printer.printerName() or printer.outputFileName()}”不可用）",
            rule="打印",
            record=printer.printerName() or printer.outputFileName(),
        )
    try:
        dpi = printer.resolution()
        for page in range(document.pageCount()):
            if page:
                printer.setPageLayout(_page_layout(document, page))
                printer.newPage()
            points = document.pagePointSize(page)
            target: QRect = printer.pageLayout().paintRectPixels(dpi)
            # Keep the page's proportions inside the printable area.
            scale = min(
                target.width() / (points.width() * dpi / _POINTS_PER_INCH),
                target.height() / (points.height() * dpi / _POINTS_PER_INCH),
            )
            size = QSize(
                round(points.width() * dpi / _POINTS_PER_INCH * scale),
                round(points.height() * dpi / _POINTS_PER_INCH * scale),
            )
            painter.drawImage(QRect(target.topLeft(), size), render_page(document, page, size))
    finally:
        painter.end()
    return document.pageCount()


def print_pdf_to_file(pdf_bytes: bytes, path: Path | str, *, dpi: int = 150) -> int:
    """Prints the PDF through the same path as paper, into a PDF file (what a "Microsoft Print to PDF"
    style printer would produce); returns the number of pages. Used by tests and the 另存打印件 option."""
    source = PdfBytes(pdf_bytes)
    try:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setResolution(dpi)
        printer.setColorMode(QPrinter.ColorMode.Color)
        printer.setFullPage(True)
        return print_document(source.document, printer)
    finally:
        source.deleteLater()


def print_with_dialog(document: QPdfDocument, parent: object | None = None) -> int:
    """Asks for a printer (QPrintDialog) and prints; returns pages printed, 0 when cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    dialog = QPrintDialog(printer, parent)  # type: ignore[arg-type]
    dialog.setWindowTitle(QCoreApplication.translate("Printing", "打印"))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    return print_document(document, printer)
