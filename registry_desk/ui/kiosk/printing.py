"""Where the kiosk's documents go: the kiosk's printer through Qt (QPrinter), or PDF files (`--print-to DIR`).

Each output is a callable `(pdf bytes, job name) -> where it went`; raising means the sheet did not come out
right, and kiosk/printing.py spoils it.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QRect, QSize
from PySide6.QtGui import QColor, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

_UNSAFE = re.compile(r"[^\w.()（）\-]+")


class DirectoryOutput:
    """Writes each document, byte for byte (the seal stays valid), into a folder instead of printing."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __call__(self, pdf: bytes, name: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_UNSAFE.sub('_', name)}.pdf"
        path.write_bytes(pdf)
        return str(path)


class QtPrinterOutput:
    """Prints through Qt on the named (or default) printer, each page rendered at the printer's resolution.

    `output_file` makes QPrinter write its own PDF instead, which lets the path be tested without a printer.
    """

    def __init__(
        self, printer_name: str | None = None, *, output_file: Path | None = None, dpi: int = 300
    ) -> None:
        self.printer_name = printer_name
        self.output_file = output_file
        self.dpi = dpi

    def __call__(self, pdf: bytes, name: str) -> str:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.output_file is not None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.output_file))
        elif self.printer_name:
            printer.setPrinterName(self.printer_name)
        if not printer.isValid():
            raise OSError(QCoreApplication.translate("KioskPrinting", "未找到可用的打印机，请联系管理员"))
        printer.setDocName(name)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setResolution(self.dpi)
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "job.pdf"
            source.write_bytes(pdf)
            # Created, used and deleted here, on the worker's thread: a QObject of this thread left for the
            # UI thread's garbage collector (an error's traceback keeps this frame alive) would be deleted
            # from the wrong thread.
            document = QPdfDocument()
            try:
                self._paint(printer, document, source, name)
            finally:
                document.close()
                shiboken6.delete(document)
        return (
            str(self.output_file)
            if self.output_file is not None
            else (printer.printerName() or QCoreApplication.translate("KioskPrinting", "默认打印机"))
        )

    @staticmethod
    def _paint(printer: QPrinter, document: QPdfDocument, source: Path, name: str) -> None:
        if document.load(str(source)) != QPdfDocument.Error.None_:
            raise OSError(
                QCoreApplication.translate("KioskPrinting", "无法读取待打印的文档 {name}").format(name=name)
            )
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(
                QCoreApplication.translate("KioskPrinting", "打印机 {printer} 无法开始打印").format(
                    printer=printer.printerName() or QCoreApplication.translate("KioskPrinting", "默认打印机")
                )
            )
        try:
            for page in range(document.pageCount()):
                if page and not printer.newPage():
                    raise OSError(QCoreApplication.translate("KioskPrinting", "打印机换页失败"))
                target = painter.viewport()
                points = document.pagePointSize(page)
                scale = min(target.width() / points.width(), target.height() / points.height())
                size = QSize(int(points.width() * scale), int(points.height() * scale))
                image = document.render(page, size)
                painter.fillRect(QRect(0, 0, size.width(), size.height()), QColor("white"))
                painter.drawImage(QRect(0, 0, size.width(), size.height()), image)
        finally:
            painter.end()
