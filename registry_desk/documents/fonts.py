"""The one CJK font every printed document uses, and the check that refuses text it cannot print."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from registry_desk.domain.errors import ValidationError
from registry_desk.resources_path import resource

FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")
# The .ttc holds Micro Hei (0) and Micro Hei Mono (1); the proportional face reads better on forms.
SUBFONT_INDEX = 0

# Line breaks are laid out by the renderer, never drawn as glyphs, so they are not "missing".
_LAYOUT_CHARACTERS = frozenset("\n\r")

_lock = threading.Lock()
_codepoints: frozenset[int] | None = None


def font_path() -> Path:
    """The font file, for Qt (`QFontDatabase.addApplicationFont`) to show the same glyphs on screen."""
    return resource(*FONT_FILE)


def register_cjk_font() -> str:
    """Register the font with reportlab (once, from any thread) and return its name for `setFont`."""
    global _codepoints
    if _codepoints is not None:
        return FONT_NAME
    with _lock:
        if _codepoints is None:
            font = TTFont(FONT_NAME, str(font_path()), subfontIndex=SUBFONT_INDEX)
            pdfmetrics.registerFont(font)
            # reportlab parsed the cmap already while loading; keeping the key set avoids a second parse
            # with fontTools (~150 ms) and makes every later lookup a set membership test.
            _codepoints = frozenset(font.face.charToGlyph)
    return FONT_NAME


def _font_codepoints() -> frozenset[int]:
    register_cjk_font()
    assert _codepoints is not None
    return _codepoints


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` the font has no glyph for (they would print as blanks)."""
    codepoints = _font_codepoints()
    return {ch for ch in text if ord(ch) not in codepoints and ch not in _LAYOUT_CHARACTERS}


def _describe(chars: set[str]) -> str:
    # The code point is given too: a character the font lacks usually shows as a box on the clerk's
    # screen as well, and "U+20000" is what they can look up or pass to the administrator.
    return "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in sorted(chars))


def check_printable(fields: Mapping[str, str]) -> None:
    """Refuse to print when any field holds a character the font lacks; names every such field.

    `fields` maps the field's Chinese label (as the user knows it) to the text to be printed.
    """
    problems: list[str] = []
    failing: list[str] = []
    for label, text in fields.items():
        missing = missing_glyphs(text)
        if missing:
            failing.append(label)
            problems.append(
                f"字段“{label}”含字库缺少的字符：{_describe(missing)}，不能打印；请核对或改用规范字"
            )
    if problems:
        raise ValidationError(
            "；".join(problems) + "。",
            rule="打印文字须为证书字库所含的字符（缺字会印成空白）",
            record="、".join(failing),
        )
