"""QR codes for printed documents, made as small PNG images (faster to place in a PDF than vector modules)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from reportlab.lib.utils import ImageReader

# Set explicitly on every code: libraries differ in their default (segno uses L), and a certificate that
# may be creased or stamped over needs M at least.
_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

# The standard's quiet zone is four modules; scanners on phones fail noticeably more often with less.
QUIET_ZONE_MODULES = 4


def qr_png(
    payload: str, box_size: int = 4, error_correction: str = "M", border: int = QUIET_ZONE_MODULES
) -> bytes:
    """A black-on-white 1-bit PNG of `payload` (UTF-8), `box_size` pixels per module."""
    if not payload:
        raise ValueError("QR payload must not be empty")
    try:
        level = _LEVELS[error_correction]
    except KeyError:
        raise ValueError(f"error_correction must be one of L, M, Q, H, not {error_correction!r}") from None
    code = qrcode.QRCode(version=None, error_correction=level, box_size=box_size, border=border,
                         image_factory=PilImage)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_image_reader(payload: str, box_size: int = 4, error_correction: str = "M") -> ImageReader:
    """The same code as `qr_png`, ready for `Canvas.drawImage`."""
    return ImageReader(io.BytesIO(qr_png(payload, box_size=box_size, error_correction=error_correction)))
