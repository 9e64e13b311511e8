"""Preview of an issued PDF (受理凭证, 证书, 证明) with 打印, 另存为 and zoom, over QtPdf."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.errors import DomainError
from registry_desk.ui.dialogs import show_domain_error
from registry_desk.ui.printing import PdfBytes, print_with_dialog

_ZOOM_STEP = 1.25
_ZOOM_MIN = 0.25
_ZOOM_MAX = 4.0


class PdfPreviewDialog(QDialog):
    """Shows one PDF. QPdfView renders pages asynchronously, so tests read `document`, not the pixels.

    `file_name` is the name offered by 另存为 (e.g. "受理凭证_202603110001.pdf")."""

    def __init__(
        self,
        pdf_bytes: bytes,
        title: str,
        file_name: str,
        parent: QWidget | None = None,
        *,
        save_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWindowTitle(title)
        self.file_name = file_name
        self.save_dir = save_dir
        self.saved_to: Path | None = None
        self.pdf = PdfBytes(pdf_bytes, self)
        self.document = self.pdf.document

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.print_button = QPushButton(self.tr("打印（Ctrl+P）"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton(self.tr("另存为（Ctrl+S）"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save_as)
        self.zoom_out_button = QPushButton(self.tr("缩小（Ctrl+-）"), self)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button = QPushButton(self.tr("放大（Ctrl++）"), self)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.fit_button = QPushButton(self.tr("适合宽度"), self)
        self.fit_button.clicked.connect(self.fit_width)
        self.close_button = QPushButton(self.tr("关闭（Esc）"), self)
        self.close_button.clicked.connect(self.accept)
        self.pages_label = QLabel(self.tr("共 {n} 页").format(n=self.document.pageCount()), self)
        self.pages_label.setObjectName("hint")
        self.message = QLabel(self)
        self.message.setObjectName("hint")

        bar = QHBoxLayout()
        for button in (self.print_button, self.save_button, self.zoom_out_button, self.zoom_in_button):
            bar.addWidget(button)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)

        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, self.zoom_in)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Equal), self, self.zoom_in)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, self.zoom_out)
        self.resize(760, 900)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def pdf_bytes(self) -> bytes:
        return self.pdf.data

    # -- zoom ---------------------------------------------------------------------------------------------
    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(_ZOOM_MIN, min(_ZOOM_MAX, factor)))

    def zoom_in(self) -> None:
        self._set_zoom(self.view.zoomFactor() * _ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.view.zoomFactor() / _ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    # -- output -------------------------------------------------------------------------------------------
    def print_document(self) -> None:
        try:
            pages = print_with_dialog(self.document, self)
        except DomainError as error:
            show_domain_error(self, error, self.tr("无法打印"))
            return
        if pages:
            self.message.setText(self.tr("已发送打印：{n} 页。").format(n=pages))

    def save_as(self) -> None:
        folder = self.save_dir or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("另存为"), str(folder / self.file_name), self.tr("PDF 文件 (*.pdf)")
        )
        if chosen:
            self.save_to(Path(chosen))

    def save_to(self, path: Path) -> None:
        """Writes the sealed PDF exactly as issued (the seal covers every byte)."""
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.pdf_bytes)
        except OSError as error:
            self.message.setText(
                self.tr("无法保存到 {path}：{error}").format(path=path, error=error.strerror)
            )
            self.message.setProperty("error", True)
            return
        self.saved_to = path
        self.message.setProperty("error", False)
        self.message.setText(self.tr("已保存到 {path}").format(path=path))
