"""The seal image: a red round seal on a transparent background, readable under any page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from registry_desk.documents.seal_image import seal_image_png
from registry_desk.domain.errors import ValidationError


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _is_red(pixel: tuple[int, int, int, int]) -> bool:
    r, g, b, a = pixel
    return a > 200 and r > 180 and g < 80 and b < 80


def test_is_a_square_png_with_transparency():
    png = seal_image_png("中卫市自然资源局", size_px=240)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = _open(png)
    assert image.mode == "RGBA" and image.size == (240, 240)
    # Corners lie outside the ring and the centre-left gap between star and ring is empty: text
    # under the seal must stay readable.
    for xy in [(0, 0), (239, 0), (0, 239), (239, 239), (60, 120)]:
        assert image.getpixel(xy)[3] == 0, xy


def test_has_a_red_ring_and_a_red_star():
    image = _open(seal_image_png("黄河示范银行股份有限公司中卫分行", "合同专用章", size_px=240))
    assert _is_red(image.getpixel((120, 120)))  # the star's centre
    assert _is_red(image.getpixel((1, 120))) or _is_red(image.getpixel((2, 120)))  # the ring, left
    assert _is_red(image.getpixel((120, 238))) or _is_red(image.getpixel((120, 237)))  # the ring, bottom
    red = sum(1 for y in range(0, 240, 3) for x in range(0, 240, 3) if _is_red(image.getpixel((x, y))))
    assert 200 < red < 3000  # ink, but far from a filled disc


def test_the_organisation_name_changes_the_image():
    assert seal_image_png("中卫市自然资源局") != seal_image_png("黄河示范银行股份有限公司中卫分行")
    assert seal_image_png("中卫市自然资源局") != seal_image_png("中卫市自然资源局", "合同专用章")


def test_empty_name_is_refused():
    with pytest.raises(ValidationError, match="机构名称"):
        seal_image_png("  ")
