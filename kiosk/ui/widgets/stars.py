"""Star rating: a plain painter (`StarRating`) and a touch-first editor widget (`StarEditor`).

As in Qt's stardelegate example, drawing is kept apart from input: `StarRating` knows only
geometry and paint, `StarEditor` turns presses and keys into a `rated` intent signal.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Property, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
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

#: The colour of "not rated yet" when the citizen tapped Submit too early (as #rateMessage).
MISSING_COLOUR = "#ab091e"


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
    """Geometry and painting of a row of stars with the chosen level's word beside it.

    The word has a column of its own, as wide as the widest level word, so it is always in
    the same place and never covers a star; before a star is chosen the column says so
    (`placeholder`), in red when the citizen is being pointed at this row (`missing`)."""

    stars: int = 0
    star_size: int = 64
    gap: int = 12
    caption: str = ""
    placeholder: str = ""
    missing: bool = False
    caption_w: int = 180
    #: The star the keyboard cursor is on (1-based), drawn with a focus ring; 0 for none.
    cursor: int = 0

    def caption_width(self) -> int:
        return self.caption_w

    def stars_width(self) -> int:
        return MAX_STARS * self.star_size + (MAX_STARS - 1) * self.gap

    def size_hint(self) -> QSize:
        return QSize(self.stars_width() + self.gap + self.caption_width(), self.star_size)

    def star_rect(self, star: int) -> QRect:
        """The touch target of star `star` (1-based): the star plus half the gap each side,
        so that no press between two stars is lost."""
        left = (star - 1) * (self.star_size + self.gap)
        return QRect(left - self.gap // 2, 0, self.star_size + self.gap, self.star_size).adjusted(
            self.gap // 2 if star == MIN_STARS else 0, 0, 0, 0
        )

    def star_at(self, x: float, y: float) -> int:
        """The star under a point, or 0 if none."""
        if not 0 <= y < self.star_size:
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
        text = self.caption if self.stars else self.placeholder
        if text:
            caption_font = QFont(font)
            caption_font.setBold(bool(self.stars) or self.missing)
            painter.setFont(caption_font)
            if self.stars:
                colour = palette.color(QPalette.ColorRole.Text)
            elif self.missing:
                colour = QColor(MISSING_COLOUR)
            else:
                colour = palette.color(QPalette.ColorRole.PlaceholderText)
            painter.setPen(colour)
            box = QRectF(self.stars_width() + self.gap, 0, self.caption_width(), self.star_size)
            align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(box, int(align | Qt.TextFlag.TextWordWrap), text)
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
        self._preferred = self._rating.star_size
        self._most = 10_000
        self._caption_for: Callable[[int], str] | None = None
        self._resize()

    def star_size(self) -> int:
        return self._preferred

    def _set_star_size(self, size: int) -> None:
        self._preferred = size
        self._resize()

    def fit(self, most: int, caption_width: int) -> None:
        """Draw the stars no larger than `most` pixels (the room the screen has for them)
        and give the level word `caption_width` pixels."""
        self._most = most
        self._rating.caption_w = caption_width
        self._resize()

    def drawn_size(self) -> int:
        """The stars' size as drawn: the stylesheet's size, or less where the room is less."""
        return self._rating.star_size

    def _resize(self) -> None:
        size = max(1, min(self._preferred, self._most))
        self._rating.star_size = size
        self._rating.gap = max(8, size // 5)
        self.setFixedSize(self._rating.size_hint())
        self.update()

    # The stylesheet sets the preferred size (`qproperty-starSize`, see assets/kiosk.qss),
    # so the kiosk's size class and large-text mode decide it in one place; the rate screen
    # may draw them smaller (`fit`) so that five rows always fit.
    starSize = Property(int, star_size, _set_star_size)

    def setPlaceholder(self, text: str) -> None:
        if text != self._rating.placeholder:
            self._rating.placeholder = text
            self.update()

    def setMissing(self, missing: bool) -> None:
        if missing != self._rating.missing:
            self._rating.missing = missing
            self.update()

    def is_missing(self) -> bool:
        return self._rating.missing

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

    def set_caption_source(self, caption_for: Callable[[int], str]) -> None:
        """Where the level word of a number of stars comes from: it is set within the same
        paint as the stars, so a tap paints the row once."""
        self._caption_for = caption_for

    def _rate(self, stars: int) -> None:
        self._rating.stars = stars
        self._rating.missing = False
        if self._caption_for is not None:
            self._rating.caption = self._caption_for(stars)
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
