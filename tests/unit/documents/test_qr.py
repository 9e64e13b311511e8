"""QR codes for printed documents: they scan back to the exact payload at the level asked for."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from registry_desk.documents.qr import qr_image_reader, qr_png

CERT_PAYLOAD = "宁(2026)中卫市不动产权第0000001号$640502001001GB00001F00030101"


def _scan(png: bytes) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("payload", ["ZW2026030500012", CERT_PAYLOAD])
def test_code_scans_back_to_the_payload(payload: str) -> None:
    (code,) = _scan(qr_png(payload))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.text == payload


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_error_correction_level_is_the_one_asked_for(level: str) -> None:
    (code,) = _scan(qr_png(CERT_PAYLOAD, error_correction=level))
    assert code.ec_level == level


def test_default_level_is_m() -> None:
    (code,) = _scan(qr_png("ZW2026030500012"))
    assert code.ec_level == "M"


def test_png_has_a_four_module_quiet_zone() -> None:
    image = Image.open(io.BytesIO(qr_png("ZW2026030500012", box_size=4))).convert("L")
    # 4 modules x 4 pixels of white on every side before the first dark module.
    dark = [(x, y) for y in range(image.height) for x in range(image.width) if image.getpixel((x, y)) == 0]
    assert min(y for _, y in dark) == 16
    assert min(x for x, _ in dark) == 16
    assert max(x for x, _ in dark) == image.width - 17


def test_unknown_level_and_empty_payload_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        qr_png("x", error_correction="X")
    with pytest.raises(ValueError):
        qr_png("")


def test_image_reader_has_the_png_size() -> None:
    png = qr_png("ZW2026030500012", box_size=3)
    assert qr_image_reader("ZW2026030500012", box_size=3).getSize() == Image.open(io.BytesIO(png)).size
