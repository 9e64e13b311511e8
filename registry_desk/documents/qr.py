"""QR codes for printed documents, made as small PNG images (faster to place in a PDF than vector modules)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from PIL import Image
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

# qrcode tries all eight mask patterns and scores each (ISO/IEC 18004 §7.8.3) unless one is given; for
# our ~330-character payloads that search was two thirds of the cost of a code (45 ms of ~45 ms with
# PIL drawing module by module; measured: fixed mask + drawing from the matrix 8 ms). Any mask decodes
# the same; the search only avoids patterns that are harder for poor scanners, and our codes are printed
# large with a full quiet zone and checked by the tests with zxing-cpp.
FIXED_MASK_PATTERN = 0


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
    code = qrcode.QRCode(
        version=None,
        error_correction=level,
        box_size=box_size,
        border=border,
        mask_pattern=FIXED_MASK_PATTERN,
    )
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    side = len(matrix)
    # One byte per module, then scaled up without smoothing: far cheaper than drawing each box.
    modules = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (side, side), modules).convert("1")
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_image_reader(payload: str, box_size: int = 4, error_correction: str = "M") -> ImageReader:
    """The same code as `qr_png`, ready for `Canvas.drawImage`."""
    return ImageReader(io.BytesIO(qr_png(payload, box_size=box_size, error_correction=error_correction)))
