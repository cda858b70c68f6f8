"""Rate: five rows of stars, reason chips for low stars, an optional comment, submit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskConfig
from kiosk.ui.i18n import Localizer
from kiosk.ui.services import RatingDraft
from kiosk.ui.widgets.chips import ReasonChips
from kiosk.ui.widgets.stars import StarEditor
from sync.reasons import REASONS_UP_TO_STARS
from sync.scoring import DIMENSIONS, Level


class RateScreen(QWidget):
    submitted = Signal(RatingDraft)
    cancelled = Signal()
    commentRequested = Signal()

    def __init__(self, localizer: Localizer, config: KioskConfig) -> None:
        super().__init__()
        self.setObjectName("rateScreen")
        self._localizer = localizer
        self._comment = ""

        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)

        body = QWidget()
        body.setObjectName("rateBody")
        grid = QGridLayout(body)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(24)
        self.names: dict[str, QLabel] = {}
        self.stars: dict[str, StarEditor] = {}
        self.chips: dict[str, ReasonChips] = {}
        for row, dimension in enumerate(DIMENSIONS):
            name = QLabel(body)
            name.setProperty("kind", "dimensionName")
            stars = StarEditor(body)
            stars.setObjectName(f"stars_{dimension.code}")
            stars.setAccessibleName(dimension.name_en)
            stars.rated.connect(lambda n, code=dimension.code: self._rated(code, n))
            chips = ReasonChips(config.reasons_for(dimension.code), body)
            chips.setVisible(False)
            grid.addWidget(name, row * 2, 0, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(stars, row * 2, 1, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(chips, row * 2 + 1, 1, 1, 2)
            self.names[dimension.code] = name
            self.stars[dimension.code] = stars
            self.chips[dimension.code] = chips

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("rateScroll")
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A finger drags the list on a touchscreen; no scroll bar hunting.
        QScroller.grabGesture(
            self.scroll_area.viewport(), QScroller.ScrollerGestureType.TouchGesture
        )

        self.message = QLabel(self)
        self.message.setObjectName("rateMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.comment_button = QPushButton(self)
        self.comment_button.setObjectName("commentButton")
        self.comment_button.clicked.connect(self.commentRequested)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancelled)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(lambda: self.submitted.emit(self.draft()))
        bar = QHBoxLayout()
        bar.addWidget(self.comment_button, 2)
        bar.addWidget(self.cancel_button, 1)
        bar.addWidget(self.submit_button, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.reset()
        self.retranslate()

    def reset(self) -> None:
        """Back to an empty rating."""
        for code, stars in self.stars.items():
            stars.setStars(0)
            self.chips[code].clear()
            self.chips[code].setVisible(False)
        self._comment = ""
        self.show_message("")
        self.scroll_area.verticalScrollBar().setValue(0)
        self._update()

    def draft(self) -> RatingDraft:
        scores = {code: s.stars() for code, s in self.stars.items() if s.stars()}
        reasons = tuple(code for chips in self.chips.values() for code in chips.selected())
        return RatingDraft(scores=scores, reasons=reasons, comment=self._comment)

    def is_started(self) -> bool:
        draft = self.draft()
        return bool(draft.scores or draft.reasons or draft.comment)

    def set_comment(self, comment: str) -> None:
        self._comment = comment
        self._update()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _rated(self, code: str, stars: int) -> None:
        # A tap must repaint within a frame: touch only what this tap changed.
        chips = self.chips[code]
        low = stars <= REASONS_UP_TO_STARS
        if not low:
            chips.clear()  # a hidden chip must not ride along with a better score
        show = low and chips.has_reasons()
        if chips.isHidden() == show:
            chips.setVisible(show)
            if show:
                self.scroll_area.ensureWidgetVisible(chips)
        if not self.message.isHidden():
            self.show_message("")
        self.stars[code].setCaption(self._level_word(stars))
        self._update_submit()

    def _update_submit(self) -> None:
        self.submit_button.setEnabled(all(s.stars() for s in self.stars.values()))

    def _update(self) -> None:
        for stars in self.stars.values():
            n = stars.stars()
            stars.setCaption(self._level_word(n) if n else "")
        self._update_submit()
        if self._comment:
            shown = self._comment if len(self._comment) <= 12 else self._comment[:12] + "…"
            self.comment_button.setText(self.tr("Comment: {text}").format(text=shown))
        else:
            self.comment_button.setText(self.tr("Add a comment (optional)"))

    def _level_word(self, stars: int) -> str:
        level = Level(stars)
        return self._localizer.pick(level.name_zh, level.name_en)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Please rate our service: tap 1 to 5 stars for each item"))
        for dimension in DIMENSIONS:
            self.names[dimension.code].setText(
                self._localizer.pick(dimension.name_zh, dimension.name_en)
            )
            self.chips[dimension.code].set_language(self._localizer.language)
        self.cancel_button.setText(self.tr("Cancel"))
        self.submit_button.setText(self.tr("Submit"))
        self._update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
