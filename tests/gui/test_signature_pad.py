"""The signature pad: mouse strokes become a smooth signature exported as a transparent PNG; 清除 empties it;
the dialog confirms only when every applicant who must sign has signed."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from registry_desk.ui.signature_pad import SignatureDialog, SignaturePad


def write(pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """A stroke with the mouse, the way a clerk's mouse or a pen driver without tablet events draws."""
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[0]))
    for x, y in points[1:]:
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[-1]))


ZIGZAG = [(30, 100), (60, 40), (90, 110), (120, 50), (150, 105), (200, 60)]


def test_strokes_export_as_a_transparent_png_holding_the_ink(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    assert pad.is_empty() and pad.to_png() == b""

    write(pad, ZIGZAG)
    write(pad, [(220, 90), (260, 40), (300, 95)])

    assert not pad.is_empty() and len(pad.strokes) == 2
    image = Image.open(io.BytesIO(pad.to_png()))
    assert image.format == "PNG" and image.mode == "RGBA"
    alpha = image.getchannel("A")
    inked = alpha.point(lambda value: 255 if value > 128 else 0).histogram()[255]
    # Cropped to the strokes (about 270 x 50-70 px on screen; the curves cut the sharp corners), drawn at
    # twice the size ...
    assert 500 < image.width < 640 and 100 < image.height < 200
    # ... with ink along the strokes and everything else see-through.
    assert inked > 1000
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((image.width - 1, image.height - 1)) == 0


def test_a_tap_is_not_a_signature_and_clear_empties_the_pad(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    QTest.mouseClick(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(50, 50))
    assert pad.is_empty()
    write(pad, ZIGZAG)
    assert not pad.is_empty()
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty() and pad.strokes == []


def test_the_smoothed_path_passes_through_both_ends_of_the_stroke(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    write(pad, ZIGZAG)
    path = SignaturePad.stroke_path(pad.strokes[0])
    assert path.elementCount() > len(ZIGZAG)  # curves, not a polyline of the samples
    start, end = path.elementAt(0), path.elementAt(path.elementCount() - 1)
    assert (start.x, start.y) == ZIGZAG[0] and (end.x, end.y) == ZIGZAG[-1]


def test_dialog_confirms_once_every_person_signed_and_maps_signatures_to_id_numbers(qtbot):
    dialog = SignatureDialog(
        [
            ("91640500MA7HH00105", "申请人（抵押权人）：黄河示范银行", False),
            ("640502199001011234", "申请人（抵押人）：刘凤琴", True),
            ("640502198805052345", "申请人（抵押人）：丁勇建", True),
        ],
        "202603110001",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.confirm_button.isEnabled()
    write(dialog.boxes[1].pad, ZIGZAG)
    assert not dialog.confirm_button.isEnabled()  # 丁勇建 has not signed
    write(dialog.boxes[2].pad, ZIGZAG)
    assert dialog.confirm_button.isEnabled()  # the bank seals electronically instead
    signatures = dialog.signatures()
    assert set(signatures) == {"640502199001011234", "640502198805052345"}
    assert all(png.startswith(b"\x89PNG") for png in signatures.values())
    QTest.mouseClick(dialog.boxes[2].clear_button, Qt.MouseButton.LeftButton)
    assert not dialog.confirm_button.isEnabled()
