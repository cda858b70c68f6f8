"""Star rating: a plain painter (`StarRating`) and a touch-first editor widget (`StarEditor`).

As in Qt's stardelegate example, drawing is kept apart from input: `StarRating` knows only
geometry and paint, `StarEditor` turns presses and keys into a `rated` intent signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Property, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from sync.scoring import MAX_STARS, MIN_STARS


def _star_points() -> list[QPointF]:
    """A five-pointed star in a unit box (0..1)."""
    points = []
    for i in range(10):
        radius = 0.5 if i % 2 == 0 else 0.2
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(0.5 + radius * math.cos(angle), 0.53 + radius * math.sin(angle)))
    return points


_STAR = _star_points()


@dataclass
class StarRating:
    """Geometry and painting of a row of stars with the chosen level's word under it."""

    stars: int = 0
    star_size: int = 64
    gap: int = 12
    caption: str = ""
    caption_px: int = 18
    #: The level's word goes under the chosen star; on short screens it goes after the row.
    caption_below: bool = True
    #: The star the keyboard cursor is on (1-based), drawn with a focus ring; 0 for none.
    cursor: int = 0

    def caption_height(self) -> int:
        return int(self.caption_px * 1.5) if self.caption_below else 0

    def caption_width(self) -> int:
        # Room for the longest level word ("Basically satisfied") beside the row.
        return 0 if self.caption_below else self.caption_px * 10

    def stars_width(self) -> int:
        return MAX_STARS * self.star_size + (MAX_STARS - 1) * self.gap

    def size_hint(self) -> QSize:
        return QSize(
            self.stars_width() + self.caption_width(), self.star_size + self.caption_height()
        )

    def star_rect(self, star: int) -> QRect:
        """The touch target of star `star` (1-based): the star plus half the gap each side,
        so that no press between two stars is lost."""
        left = (star - 1) * (self.star_size + self.gap)
        return QRect(left - self.gap // 2, 0, self.star_size + self.gap, self.star_size).adjusted(
            self.gap // 2 if star == MIN_STARS else 0, 0, 0, 0
        )

    def star_at(self, x: float, y: float) -> int:
        """The star under a point, or 0 if none."""
        if not 0 <= y < self.star_size + self.caption_height():
            return 0
        if x >= self.stars_width() + self.gap // 2:
            return 0  # the caption beside the row is not a star
        for star in range(MIN_STARS, MAX_STARS + 1):
            rect = self.star_rect(star)
            if rect.left() <= x < rect.left() + rect.width():
                return star
        return 0

    def paint(self, painter: QPainter, palette: QPalette, font: QFont) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        on = palette.color(QPalette.ColorRole.Highlight)
        off = palette.color(QPalette.ColorRole.Mid)
        for star in range(MIN_STARS, MAX_STARS + 1):
            box = QRectF(
                (star - 1) * (self.star_size + self.gap), 0, self.star_size, self.star_size
            )
            polygon = QPolygonF(
                [
                    QPointF(box.x() + p.x() * box.width(), box.y() + p.y() * box.height())
                    for p in _STAR
                ]
            )
            filled = star <= self.stars
            painter.setPen(QPen(on if filled else off, max(2.0, self.star_size / 24)))
            # An explicit QBrush: PySide6 6.12's implicit QColor->QBrush conversion here
            # leaks a reference to None per call and crashes after some thousand paints.
            painter.setBrush(QBrush(on) if filled else QBrush(Qt.BrushStyle.NoBrush))
            painter.drawPolygon(polygon)
            if star == self.cursor:
                ring = QPen(palette.color(QPalette.ColorRole.Text), 3, Qt.PenStyle.DashLine)
                painter.setPen(ring)
                painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
                painter.drawRoundedRect(box.adjusted(-4, -2, 4, 2), 8, 8)
        if self.stars and self.caption:
            caption_font = QFont(font)
            caption_font.setPixelSize(self.caption_px)
            caption_font.setBold(True)
            painter.setFont(caption_font)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            if self.caption_below:
                width = QFontMetrics(caption_font).horizontalAdvance(self.caption) + 8
                total = self.stars_width()
                centre = (self.stars - 1) * (self.star_size + self.gap) + self.star_size / 2
                # Under the chosen star, but kept inside the row.
                left = min(max(0.0, centre - width / 2), max(0.0, total - width))
                box = QRectF(left, self.star_size, width, self.caption_height())
                align = Qt.AlignmentFlag.AlignCenter
            else:
                box = QRectF(self.stars_width() + self.gap, 0, self.caption_width(), self.star_size)
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(box, align, self.caption)
        painter.restore()


class StarEditor(QWidget):
    """One dimension's row of stars. A star acts on press (touch first, nothing on hover);
    Left/Right move the keyboard cursor, Enter/Space rate the star under it, 1–5 rate
    directly; Up/Down move to the next dimension. Emits `rated(stars)`.
    """

    rated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rating = StarRating()
        self.setProperty("kind", "stars")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._set_star_size(self._rating.star_size)

    def star_size(self) -> int:
        return self._rating.star_size

    def _caption_below(self) -> bool:
        return self._rating.caption_below

    def _set_caption_below(self, below: bool) -> None:
        self._rating.caption_below = below
        self.setFixedSize(self._rating.size_hint())
        self.update()

    def _set_star_size(self, size: int) -> None:
        self._rating.star_size = size
        self._rating.gap = max(8, size // 5)
        self._rating.caption_px = max(14, size * 3 // 10)
        self.setFixedSize(self._rating.size_hint())
        self.update()

    # The stylesheet sets the size (`qproperty-starSize`, see assets/kiosk.qss), so the
    # kiosk's size class and large-text mode decide it in one place.
    starSize = Property(int, star_size, _set_star_size)
    captionBelow = Property(bool, _caption_below, _set_caption_below)

    def stars(self) -> int:
        return self._rating.stars

    def setStars(self, stars: int) -> None:
        """Show `stars` without emitting `rated` (used to reset the screen)."""
        self._rating.stars = stars
        self._rating.cursor = 0
        self.update()

    def setCaption(self, caption: str) -> None:
        if caption != self._rating.caption:
            self._rating.caption = caption
            self.update()

    def star_center(self, star: int) -> QPointF:
        """Where a finger lands to tap star `star` (for tests and `--simulate`)."""
        return QRectF(self._rating.star_rect(star)).center()

    def star_target(self, star: int) -> QRect:
        return self._rating.star_rect(star)

    def sizeHint(self) -> QSize:
        return self._rating.size_hint()

    def _rate(self, stars: int) -> None:
        self._rating.stars = stars
        if self._rating.cursor:
            self._rating.cursor = stars
        # Paint now: a tap must show its star within a frame, not when the loop gets round.
        self.repaint()
        self.rated.emit(stars)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        star = self._rating.star_at(event.position().x(), event.position().y())
        if star:
            self._rate(star)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        cursor = self._rating.cursor or self._rating.stars or MIN_STARS
        if key == Qt.Key.Key_Left:
            self._rating.cursor = max(MIN_STARS, cursor - 1)
            self.update()
        elif key == Qt.Key.Key_Right:
            self._rating.cursor = min(MAX_STARS, cursor + 1)
            self.update()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            # Up and down walk between dimensions, like Tab and Shift+Tab.
            self.focusNextPrevChild(key == Qt.Key.Key_Down)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._rating.cursor = cursor
            self._rate(cursor)
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_5:
            self._rating.cursor = key - Qt.Key.Key_0
            self._rate(self._rating.cursor)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # The keyboard cursor shows for keyboard users only; a finger needs no focus ring.
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self._rating.cursor = self._rating.stars or MIN_STARS
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._rating.cursor = 0
        self.update()
        super().focusOutEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._rating.paint(painter, self.palette(), self.font())
        painter.end()
