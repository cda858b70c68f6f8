"""A QR code drawn crisply at whole pixels per module, with its quiet zone, as large as the
widget allows: what a phone camera needs to read it off a touchscreen."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.qrmatrix import QUIET_ZONE, qr_modules


def qr_image(text: str) -> QImage:
    """One pixel per module, quiet zone included: scaled without smoothing when drawn."""
    modules = qr_modules(text)
    code = QImage(
        modules.gray,
        modules.size,
        modules.size,
        modules.size,
        QImage.Format.Format_Grayscale8,
    )
    side = modules.size + 2 * QUIET_ZONE
    image = QImage(side, side, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(QUIET_ZONE, QUIET_ZONE, code)
    painter.end()
    return image


class QrCode(QWidget):
    """Shows the QR code of a text; empty (and transparent) with no text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._image: QImage | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self._image = qr_image(text) if text else None
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(160, 160)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def code_rect(self) -> QRect:
        """Where the code (quiet zone included) is drawn: whole pixels per module, centred."""
        if self._image is None:
            return QRect()
        side = self._image.width()
        scale = max(1, min(self.width(), self.height()) // side)
        size = side * scale
        return QRect((self.width() - size) // 2, (self.height() - size) // 2, size, size)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.code_rect(), self._image)
        painter.end()
