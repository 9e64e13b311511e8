"""Draws an organisation's round red seal (公章样式) as a transparent PNG for the page content."""

from __future__ import annotations

import io
import math
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from registry_desk.domain.errors import ValidationError
from registry_desk.resources_path import resource

SEAL_RED = (215, 25, 32, 255)
DEFAULT_SIZE_PX = 480  # 42 mm at about 290 dpi: sharp when printed, small enough to embed in every PDF

# Proportions of a round organisation seal, as fractions of the outer radius.
_RING_WIDTH = 0.055
_TEXT_RADIUS = 0.76  # middle of the arc text
_ARC_TEXT_HEIGHT = 0.22
_STAR_RADIUS = 0.28
_CENTRE_TEXT_HEIGHT = 0.15
_SUPERSAMPLE = 2  # Pillow draws polygons without anti-aliasing: draw large, then shrink


@cache
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resource("fonts", "wqy-microhei.ttc")), px, index=0)


def seal_image_png(
    org_name: str, centre_text: str = "不动产登记专用章", size_px: int = DEFAULT_SIZE_PX
) -> bytes:
    """A round red seal: ring, five-pointed star, `org_name` along the upper arc, `centre_text` below.

    The background is transparent so that text under the seal stays readable. The result is cached:
    the same organisation's seal is drawn once per process.
    """
    org_name = org_name.strip()
    if not org_name:
        raise ValidationError("印章上的机构名称不能为空", rule="电子印章须载明机构名称")
    if size_px < 64:
        raise ValidationError(f"印章图像太小：{size_px} 像素", rule="印章图像至少 64 像素")
    return _render(org_name, centre_text.strip(), size_px)


@cache
def _render(org_name: str, centre_text: str, size_px: int) -> bytes:
    size = size_px * _SUPERSAMPLE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    radius = size / 2 - 1

    ring = max(2, round(radius * _RING_WIDTH))
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius), outline=SEAL_RED, width=ring
    )
    draw.polygon(_star_points(centre, centre, radius * _STAR_RADIUS), fill=SEAL_RED)
    _draw_arc_text(image, org_name, centre, radius)
    if centre_text:
        _draw_centre_text(image, centre_text, centre, radius)

    image = image.resize((size_px, size_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _star_points(cx: float, cy: float, r_outer: float) -> list[tuple[float, float]]:
    r_inner = r_outer * math.sin(math.radians(18)) / math.sin(math.radians(126))  # a regular pentagram
    points = []
    for i in range(10):
        r = r_outer if i % 2 == 0 else r_inner
        angle = math.radians(-90 + 36 * i)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def _glyph(char: str, height_px: int, width_scale: float) -> Image.Image:
    """One red character, cut to its box and squeezed horizontally as seal carvers do for long names."""
    font = _font(height_px)
    # Carved seal strokes are heavier than the regular face: thicken with an outline of the same red.
    stroke = max(1, height_px // 28)
    left, top, right, bottom = font.getbbox(char, stroke_width=stroke)
    tile = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text(
        (-left, -top), char, font=font, fill=SEAL_RED, stroke_width=stroke, stroke_fill=SEAL_RED
    )
    if width_scale != 1.0:
        tile = tile.resize((max(1, round(tile.width * width_scale)), tile.height), Image.Resampling.LANCZOS)
    return tile


def _draw_arc_text(image: Image.Image, text: str, centre: float, radius: float) -> None:
    chars = [c for c in text if not c.isspace()]
    height = round(radius * _ARC_TEXT_HEIGHT)
    text_radius = radius * _TEXT_RADIUS
    # Short names spread less than long ones; the arc never reaches below the horizontal line much,
    # leaving the lower part for the centre text.
    span = min(250.0, max(180.0, 17.0 * len(chars)))
    step = span / len(chars) if len(chars) > 1 else 0.0
    # Space per character along the arc, compared with the glyph height, decides the squeeze.
    arc_per_char = 2 * math.pi * text_radius * (step / 360) if step else height
    width_scale = min(1.0, 0.92 * arc_per_char / height)
    start = -span / 2 + step / 2
    for i, char in enumerate(chars):
        theta = start + i * step  # degrees clockwise from the top
        glyph = _glyph(char, height, width_scale).rotate(
            -theta, expand=True, resample=Image.Resampling.BICUBIC
        )
        x = centre + text_radius * math.sin(math.radians(theta))
        y = centre - text_radius * math.cos(math.radians(theta))
        image.alpha_composite(glyph, (round(x - glyph.width / 2), round(y - glyph.height / 2)))


def _draw_centre_text(image: Image.Image, text: str, centre: float, radius: float) -> None:
    height = round(radius * _CENTRE_TEXT_HEIGHT)
    glyphs = [_glyph(c, height, 1.0) for c in text if not c.isspace()]
    gap = height * 0.08
    total = sum(g.width for g in glyphs) + gap * (len(glyphs) - 1)
    max_width = radius * 1.3  # stay inside the ring at that height
    scale = min(1.0, max_width / total) if total else 1.0
    if scale < 1.0:
        glyphs = [
            g.resize((max(1, round(g.width * scale)), g.height), Image.Resampling.LANCZOS) for g in glyphs
        ]
        gap *= scale
        total = sum(g.width for g in glyphs) + gap * (len(glyphs) - 1)
    x = centre - total / 2
    baseline_mid = centre + radius * 0.52
    for g in glyphs:
        image.alpha_composite(g, (round(x), round(baseline_mid - g.height / 2)))
        x += g.width + gap
