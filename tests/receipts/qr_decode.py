"""Reading QR codes back the way a phone would: zxing-cpp on pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "receipts"


def decode(image: Image.Image) -> list[str]:
    """The texts of every QR code zxing-cpp finds in `image`."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(image.convert("L"))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def qimage_to_pil(image: QImage) -> Image.Image:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data().data())))


def render_pdf(path: Path, dpi: int = 203) -> list[Image.Image]:
    """Each page of the PDF at `path` as an image, at a thermal printer's 203 dpi."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in pdf]
    finally:
        pdf.close()


def keep(image: Image.Image, name: str) -> Path:
    """Save a rendering under screenshots/ (not committed) for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    image.save(path)
    return path
