"""QR codes for a text, shared by the screen widget and the printed receipts.

Encoded with zxing-cpp's writer (C++, with the standard's mask selection): about a
millisecond for a phone-rating address, where the pure-Python `qrcode` package spent
20–25 ms choosing the mask, more than the whole budget for showing a QR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import zxingcpp

#: Light modules around the code that scanners need (the standard asks for four).
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrModules:
    """A square of `size` x `size` modules, row by row, without the quiet zone:
    `gray[y * size + x]` is 0 for a dark module and 255 for a light one."""

    size: int
    gray: bytes

    def dark(self, x: int, y: int) -> bool:
        return self.gray[y * self.size + x] == 0

    def rows(self) -> list[list[bool]]:
        return [[self.dark(x, y) for x in range(self.size)] for y in range(self.size)]


@lru_cache(maxsize=32)
def qr_modules(text: str) -> QrModules:
    """The smallest QR code (error correction level M) holding `text`."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    # The image exports its pixels through the buffer protocol; its stub does not say so.
    pixels = memoryview(image).tobytes()  # type: ignore[arg-type]
    return QrModules(int(image.shape[0]), pixels)
