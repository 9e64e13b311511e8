"""The applicants' signature pad: strokes by mouse, pen (QTabletEvent) or finger (QTouchEvent), smoothed, exported
as a transparent PNG for the 签章 cells of the application form; a dialog asks each applicant in turn."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

INK = QColor(20, 20, 60)
PEN_WIDTH = 3.2  # on screen, in pixels; a pen's pressure scales it between half and one and a half
EXPORT_SCALE = 2  # the PNG is drawn at twice the screen size, so it stays sharp in print
EXPORT_MARGIN = 8
MIN_POINTS = 2  # a single tap is not a signature


class SignaturePad(QWidget):
    """A white writing area. `strokes` holds the points (with pressure) of each stroke as written."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setMinimumSize(420, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[list[tuple[QPointF, float]]] = []
        self._writing = False

    # -- input --------------------------------------------------------------------------------------------
    def _begin(self, point: QPointF, pressure: float = 1.0) -> None:
        self._writing = True
        self.strokes.append([(point, pressure)])
        self.update()

    def _extend(self, point: QPointF, pressure: float = 1.0) -> None:
        if not self._writing or not self.strokes:
            return
        last, _p = self.strokes[-1][-1]
        # Points closer than half a pixel add nothing but jitter.
        if (point - last).manhattanLength() < 0.5:
            return
        self.strokes[-1].append((point, pressure))
        self.update()

    def _end(self) -> None:
        if not self._writing:
            return
        self._writing = False
        self.changed.emit()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting it keeps Qt from synthesising a second, pressure-less mouse stroke.
        kind = event.type()
        pressure = max(0.1, event.pressure())  # pen pressure from Qt, 0..1
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd) and isinstance(
            event, QTouchEvent
        ):
            points = event.points()
            if points:
                # One finger writes; a second one resting on the glass is ignored.
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._extend(position)
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # -- state --------------------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not any(len(stroke) >= MIN_POINTS for stroke in self.strokes)

    def clear(self) -> None:
        self.strokes.clear()
        self._writing = False
        self.changed.emit()
        self.update()

    # -- drawing ------------------------------------------------------------------------------------------
    @staticmethod
    def stroke_path(
        points: Sequence[tuple[QPointF, float]], scale: float = 1.0, offset: QPointF | None = None
    ) -> QPainterPath:
        """A smooth path through the points: quadratic curves from midpoint to midpoint, with each sampled
        point as the control point (the jagged polyline of raw mouse samples reads as a forgery)."""
        shift = offset or QPointF(0, 0)
        pts = [(p - shift) * scale for p, _pressure in points]
        path = QPainterPath(pts[0])
        if len(pts) == 1:
            path.lineTo(pts[0] + QPointF(0.01, 0))
            return path
        for here, following in pairwise(pts[1:]):
            path.quadTo(here, (here + following) / 2)
        path.lineTo(pts[-1])
        return path

    def _paint_strokes(self, painter: QPainter, scale: float = 1.0, offset: QPointF | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for stroke in self.strokes:
            pressure = sum(p for _pt, p in stroke) / len(stroke)
            width = PEN_WIDTH * scale * (0.5 + min(pressure, 1.0))
            pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self.stroke_path(stroke, scale, offset))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor(190, 190, 190), 1, Qt.PenStyle.DashLine))
        baseline = self.height() * 3 // 4
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if not self.strokes:
            painter.setPen(QColor(160, 160, 160))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("请在此处签名"))
        self._paint_strokes(painter)
        painter.end()

    def bounds(self) -> QRectF:
        rect = QRectF()
        for stroke in self.strokes:
            rect = rect.united(self.stroke_path(stroke).boundingRect())
        return rect

    def to_png(self) -> bytes:
        """The signature alone, cropped to its strokes, dark ink on a transparent background."""
        if self.is_empty():
            return b""
        rect = self.bounds().adjusted(-EXPORT_MARGIN, -EXPORT_MARGIN, EXPORT_MARGIN, EXPORT_MARGIN)
        width = max(1, int(rect.width() * EXPORT_SCALE))
        height = max(1, int(rect.height() * EXPORT_SCALE))
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._paint_strokes(painter, EXPORT_SCALE, rect.topLeft())
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())


class SignatureBox(QGroupBox):
    """One applicant's pad with its 清除 button; `key` is what the services take (the ID number)."""

    def __init__(self, key: str, title: str, required: bool, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.key = key
        self.required = required
        self.pad = SignaturePad(self)
        self.clear_button = QPushButton(self.tr("清除"), self)
        self.clear_button.setObjectName("clearSignature")
        self.clear_button.clicked.connect(self.pad.clear)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pad, 1)
        row = QHBoxLayout()
        if not required:
            note = QLabel(self.tr("单位以电子签章确认，可不签名"), self)
            note.setObjectName("hint")
            row.addWidget(note)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)


class SignatureDialog(QDialog):
    """Each applicant signs on their own pad; 确认 is enabled once every required pad holds a signature.

    `signers` are (key, title, required) — the key (ID number) is what `signatures()` maps to PNG bytes."""

    def __init__(
        self, signers: Sequence[tuple[str, str, bool]], case_number: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signatureDialog")
        self.setWindowTitle(self.tr("申请人签名 — 业务 {number}").format(number=case_number))
        self.boxes = [SignatureBox(key, title, required, self) for key, title, required in signers]
        self.hint = QLabel(self.tr("请各申请人在对应的签名区内签名，签名将载入不动产登记申请书。"), self)
        self.hint.setWordWrap(True)
        self.confirm_button = QPushButton(self.tr("确认签名"), self)
        self.confirm_button.setObjectName("confirmSignatures")
        self.confirm_button.clicked.connect(self.accept)
        cancel = QPushButton(self.tr("取消"), self)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        for box in self.boxes:
            layout.addWidget(box, 1)
            box.pad.changed.connect(self._update)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.resize(640, min(900, 180 + 230 * max(1, len(self.boxes))))
        self._update()

    def _update(self) -> None:
        self.confirm_button.setEnabled(all(not b.required or not b.pad.is_empty() for b in self.boxes))

    def signatures(self) -> dict[str, bytes]:
        return {b.key: b.pad.to_png() for b in self.boxes if not b.pad.is_empty()}
