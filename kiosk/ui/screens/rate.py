"""Rate: five rows of stars on one screen, a fixed panel of reasons, an optional comment.

Nothing moves under the finger. The rows are laid out once for the screen's size and text
size (`_arrange`): stars as large as the stylesheet asks, or smaller where five rows would
not fit; the level word in a column of its own. Reasons for a low score appear in a panel
with room of its own: beside the rows where the width allows, below them on a tall screen,
and otherwise on a second step behind "Next". Submit before every row is rated points at
the first row still missing, instead of doing nothing.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskConfig
from kiosk.ui.i18n import Localizer
from kiosk.ui.services import RatingDraft
from kiosk.ui.style import set_flag
from kiosk.ui.widgets.chips import ReasonPanel
from kiosk.ui.widgets.stars import StarEditor
from sync.reasons import REASONS_UP_TO_STARS, Reason
from sync.scoring import DIMENSIONS, Level

#: Touch targets are never drawn smaller than this, whatever the screen (assets/kiosk.qss).
MIN_TARGET_PX = 48


class ReasonPlace(Enum):
    """Where the reasons panel sits, chosen from the room the screen has."""

    SIDE = "side"
    BELOW = "below"
    STEP = "step"


class RateScreen(QWidget):
    submitted = Signal(RatingDraft)
    cancelled = Signal()
    commentRequested = Signal()

    def __init__(self, localizer: Localizer, config: KioskConfig) -> None:
        super().__init__()
        self.setObjectName("rateScreen")
        self._localizer = localizer
        self._comment = ""
        self._place = ReasonPlace.SIDE
        self._on_step = False
        self._message = ""

        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.rows = QWidget()
        self.rows.setObjectName("rateRows")
        self._grid = QGridLayout(self.rows)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.names: dict[str, QLabel] = {}
        self.stars: dict[str, StarEditor] = {}
        for row, dimension in enumerate(DIMENSIONS):
            name = QLabel(self.rows)
            name.setProperty("kind", "dimensionName")
            name.setWordWrap(True)
            stars = StarEditor(self.rows)
            stars.setObjectName(f"stars_{dimension.code}")
            stars.setAccessibleName(dimension.name_en)
            stars.set_caption_source(self._level_word)
            stars.rated.connect(lambda n, code=dimension.code: self._rated(code, n))
            self._grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(stars, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self.names[dimension.code] = name
            self.stars[dimension.code] = stars
        self._grid.setRowStretch(len(DIMENSIONS), 1)

        self.reasons = ReasonPanel()
        self.reasons.set_reasons(config.reasons)

        # Page 0: the rows (and the panel beside or below them); page 1: the panel alone.
        self.body = QWidget()
        self.body.setObjectName("rateBody")
        self._body_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        self._body_layout.addWidget(self.rows, 0, Qt.AlignmentFlag.AlignTop)
        self._body_layout.addWidget(self.reasons, 1)
        self.step = QWidget()
        self.step.setObjectName("rateStep")
        self._step_layout = QVBoxLayout(self.step)
        self._step_layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.body)
        self.pages.addWidget(self.step)
        # The pages take the room that is left; `_arrange` makes their content fit in it.
        self.pages.setMinimumSize(1, 1)
        self.pages.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

        self.comment_button = QPushButton(self)
        self.comment_button.setObjectName("commentButton")
        self.comment_button.clicked.connect(self.commentRequested)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self._cancel_or_back)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self._submit)
        bar = QHBoxLayout()
        bar.addWidget(self.comment_button, 2)
        bar.addWidget(self.cancel_button, 1)
        bar.addWidget(self.submit_button, 2)

        self._column = QVBoxLayout(self)
        self._column.addWidget(self.title)
        self._column.addWidget(self.pages, 1)
        self._column.addLayout(bar)
        self._arranging = QTimer(self)
        self._arranging.setSingleShot(True)
        self._arranging.timeout.connect(self._arrange)
        self.reset()
        self.retranslate()

    # -- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to an empty rating, on the first step."""
        for stars in self.stars.values():
            stars.setStars(0)
            stars.setMissing(False)
        self.reasons.clear()
        self._comment = ""
        self._on_step = False
        self.pages.setCurrentWidget(self.body)
        self.show_message("")
        self._update()

    def set_reasons(self, reasons: tuple[Reason, ...]) -> None:
        """Offer these reasons from the next rating on (the server's content in force)."""
        self.reasons.set_reasons(reasons)
        self.reasons.set_language(self._localizer.language)
        self._arrange_soon()

    def draft(self) -> RatingDraft:
        scores = {code: s.stars() for code, s in self.stars.items() if s.stars()}
        return RatingDraft(
            scores=scores, reasons=tuple(self.reasons.selected()), comment=self._comment
        )

    def is_started(self) -> bool:
        draft = self.draft()
        return bool(draft.scores or draft.reasons or draft.comment)

    def is_complete(self) -> bool:
        return all(s.stars() for s in self.stars.values())

    def place(self) -> ReasonPlace:
        return self._place

    def on_reasons_step(self) -> bool:
        return self._on_step

    def set_comment(self, comment: str) -> None:
        self._comment = comment
        self._update()

    def show_message(self, text: str) -> None:
        """A message in the title's place (the title's room is kept for it: nothing moves)."""
        self._message = text
        set_flag(self.title, "warn", bool(text))
        self._show_title()

    def message_text(self) -> str:
        return self._message

    # -- taps -------------------------------------------------------------------------------

    def _rated(self, code: str, stars: int) -> None:
        # A tap must repaint within a frame: touch only what this tap changed.
        self.reasons.show_dimension(code, stars <= REASONS_UP_TO_STARS)
        if self._message:
            self.show_message("")
        self.stars[code].setCaption(self._level_word(stars))
        self._update_submit()

    def _submit(self) -> None:
        missing = [code for code, s in self.stars.items() if not s.stars()]
        if missing:
            self._point_at(missing[0])
            return
        if self._place is ReasonPlace.STEP and not self._on_step and self.reasons.shown():
            self._show_step(True)
            return
        self.submitted.emit(self.draft())

    def _point_at(self, code: str) -> None:
        if self._on_step:
            self._show_step(False)
        for other, stars in self.stars.items():
            stars.setMissing(other == code)
        name = self.names[code].text()
        self.show_message(self.tr("Please rate “{name}” too: tap a star").format(name=name))
        self.stars[code].setFocus(Qt.FocusReason.OtherFocusReason)

    def _cancel_or_back(self) -> None:
        if self._on_step:
            self._show_step(False)
        else:
            self.cancelled.emit()

    def _show_step(self, on: bool) -> None:
        self._on_step = on
        self.pages.setCurrentWidget(self.step if on else self.body)
        self._update()

    # -- texts ------------------------------------------------------------------------------

    def _update_submit(self) -> None:
        ready = self.is_complete()
        set_flag(self.submit_button, "ready", ready)
        nxt = self._place is ReasonPlace.STEP and not self._on_step and bool(self.reasons.shown())
        self.submit_button.setText(self.tr("Next") if nxt else self.tr("Submit"))

    def _update(self) -> None:
        for stars in self.stars.values():
            n = stars.stars()
            stars.setCaption(self._level_word(n) if n else "")
        self._update_submit()
        self.cancel_button.setText(self.tr("Back") if self._on_step else self.tr("Cancel"))
        if self._comment:
            shown = self._comment if len(self._comment) <= 12 else self._comment[:12] + "…"
            self.comment_button.setText(self.tr("Comment: {text}").format(text=shown))
        else:
            self.comment_button.setText(self.tr("Add a comment (optional)"))
        self._show_title()

    def _show_title(self) -> None:
        if self._message:
            self.title.setText(self._message)
        elif self._on_step:
            self.title.setText(self.tr("What went wrong? Tap any that apply, then Submit"))
        else:
            self.title.setText(self.tr("Tap 1 to 5 stars for each item"))

    def _title_texts(self) -> list[str]:
        longest_name = max((label.text() for label in self.names.values()), key=len)
        return [
            self.tr("Tap 1 to 5 stars for each item"),
            self.tr("What went wrong? Tap any that apply, then Submit"),
            self.tr("Please rate “{name}” too: tap a star").format(name=longest_name),
        ]

    def _level_word(self, stars: int) -> str:
        level = Level(stars)
        return self._localizer.pick(level.name_zh, level.name_en)

    def retranslate(self) -> None:
        for dimension in DIMENSIONS:
            self.names[dimension.code].setText(
                self._localizer.pick(dimension.name_zh, dimension.name_en)
            )
            self.stars[dimension.code].setPlaceholder(self.tr("Not rated"))
        self.reasons.set_language(self._localizer.language)
        self.reasons.title.setText(self.tr("Reasons for a low score (optional)"))
        self.reasons.empty.setText(
            self.tr("Gave 1 or 2 stars? Tap what went wrong here. It helps us improve.")
        )
        self._update()
        self._arrange_soon()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._arrange_soon()
        super().changeEvent(event)

    # -- layout -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self._arrange()
        super().showEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange_soon(self) -> None:
        if self.isVisible():
            self._arranging.start(0)

    def _arrange(self) -> None:
        """Size the rows and place the reasons panel for the room this screen has now."""
        self._arranging.stop()
        self.ensurePolished()
        for widget in (self.title, self.submit_button, *self.names.values(), self.reasons):
            widget.ensurePolished()
        margins = self._column.contentsMargins()
        spacing = max(4, self._column.spacing())
        width = self.width() - margins.left() - margins.right()
        height = self.height() - margins.top() - margins.bottom()
        font_px = max(1, self.font().pixelSize())
        # The title keeps room for the longest of its texts: a message shown in its place
        # never moves the rows.
        title_metrics = QFontMetrics(self.title.font())
        longest = max(self._title_texts(), key=title_metrics.horizontalAdvance)
        title_h = title_metrics.boundingRect(
            0, 0, width, 10_000, int(Qt.TextFlag.TextWordWrap), longest
        ).height()
        self.title.setFixedHeight(title_h + 4)
        bar_h = max(self.submit_button.sizeHint().height(), self.submit_button.minimumHeight())
        # (a few pixels kept spare: the layout rounds sizes its own way)
        pages_h = height - (title_h + 4) - bar_h - 2 * spacing - 3

        name_font = QFont(self.names[DIMENSIONS[0].code].font())
        name_metrics = QFontMetrics(name_font)
        name_w = max(name_metrics.horizontalAdvance(label.text()) for label in self.names.values())
        name_w = min(name_w + 4, width // 3)
        star_font = self.stars[DIMENSIONS[0].code].font()
        star_font.setBold(True)
        word_metrics = QFontMetrics(star_font)
        words = [self._level_word(n) for n in range(1, 6)] + [self.tr("Not rated")]
        caption_w = min(max(word_metrics.horizontalAdvance(w) for w in words) + 8, 7 * font_px)
        column_gap = max(8, font_px // 2)
        self._grid.setHorizontalSpacing(column_gap)

        preferred = max(s.star_size() for s in self.stars.values())
        rows = len(DIMENSIONS)
        row_gap = max(4, font_px // 3)
        by_height = (pages_h - (rows - 1) * row_gap) // rows
        by_width = int((width - name_w - caption_w - 2 * column_gap) / 5.8)
        star = max(MIN_TARGET_PX, min(preferred, by_height, by_width))
        for editor in self.stars.values():
            editor.fit(star, caption_w)
        for label in self.names.values():
            label.setFixedWidth(name_w)
        row_h = max(star, name_metrics.lineSpacing())
        rows_w = name_w + column_gap + self.stars[DIMENSIONS[0].code].width()
        rows_h = rows * row_h + (rows - 1) * row_gap
        self.rows.setFixedWidth(rows_w)

        side_w = width - rows_w - 2 * column_gap
        below_h = pages_h - rows_h - 2 * row_gap
        min_panel_w = self.reasons.widest_chip() + 32
        spare = pages_h - rows_h
        if side_w >= min_panel_w and self.reasons.needed_height(side_w) <= pages_h:
            place = ReasonPlace.SIDE
        elif below_h > 0 and self.reasons.needed_height(width) <= below_h:
            place = ReasonPlace.BELOW
            spare = below_h - self.reasons.needed_height(width)
        else:
            place = ReasonPlace.STEP
            # The second step has the whole page; chips draw tighter (same text size)
            # where even that is short, as with long English reasons in large text.
            set_flag(self.reasons, "dense", False)
            self.reasons.ensurePolished()
            for code in self.reasons.codes_all():
                self.reasons.button(code).ensurePolished()
            tight = self.reasons.needed_height(width, with_title=False) > pages_h
            set_flag(self.reasons, "dense", tight)
            if tight:
                for code in self.reasons.codes_all():
                    set_flag(self.reasons.button(code), "dense", True)
        if place is not ReasonPlace.STEP:
            set_flag(self.reasons, "dense", False)
            for code in self.reasons.codes_all():
                set_flag(self.reasons.button(code), "dense", False)
        # Spare height spreads the rows apart a little (easier to aim at), never much.
        row_gap += max(0, min(star // 2 - row_gap, spare // rows))
        self._grid.setVerticalSpacing(row_gap)
        self._set_place(place, rows * row_h + (rows - 1) * row_gap)

    def _set_place(self, place: ReasonPlace, rows_h: int) -> None:
        body = self._body_layout
        self.rows.setFixedHeight(rows_h)
        if place is not self._place or self.reasons.parentWidget() is None:
            body.removeWidget(self.reasons)
            self._step_layout.removeWidget(self.reasons)
            # On the second step the screen's title asks for the reasons.
            self.reasons.title.setVisible(place is not ReasonPlace.STEP)
            set_flag(self.reasons, "step", place is ReasonPlace.STEP)
            if place is ReasonPlace.STEP:
                self._step_layout.addWidget(self.reasons)
            else:
                body.addWidget(self.reasons, 1)
            self._place = place
        if place is ReasonPlace.BELOW:
            body.setDirection(QBoxLayout.Direction.TopToBottom)
            body.setAlignment(self.rows, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        else:
            body.setDirection(QBoxLayout.Direction.LeftToRight)
            body.setAlignment(self.rows, Qt.AlignmentFlag.AlignTop)
        self.reasons.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        if place is not ReasonPlace.STEP and self._on_step:
            self._show_step(False)
        self._update_submit()
        # Now, not on a later turn of the loop: what the citizen first sees is final.
        for layout in (self._grid, self._body_layout, self._step_layout, self._column):
            layout.activate()
