"""The live counter score badge: today and this month, each with its count, and its source."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from kiosk.ui.services import BadgeScores, PeriodFigures, ScoreOrigin


class ScoreBadge(QFrame):
    """Shows a `BadgeScores`; `show_scores` is called by the flow controller when they change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoreBadge")
        self._scores: BadgeScores | None = None
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(24)
        self.title = QLabel(self)
        self.title.setObjectName("badgeTitle")
        self.today = QLabel(self)
        self.month = QLabel(self)
        self.origin = QLabel(self)
        self.origin.setObjectName("badgeOrigin")
        for label in (self.today, self.month):
            label.setProperty("kind", "badgeFigure")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.today, 1, 0)
        grid.addWidget(self.month, 1, 1)
        grid.addWidget(self.origin, 2, 0, 1, 2)
        self.retranslate()

    def show_scores(self, scores: BadgeScores) -> None:
        self._scores = scores
        self.retranslate()

    def _figure(self, period: str, figures: PeriodFigures) -> str:
        if figures.mean is None:
            return self.tr("{period}\nno ratings yet").format(period=period)
        mean = figures.mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return self.tr("{period}\n{mean} · {count} ratings").format(
            period=period, mean=mean, count=figures.count
        )

    def retranslate(self) -> None:
        self.title.setText(self.tr("Counter score"))
        scores = self._scores
        if scores is None:
            self.today.setText("")
            self.month.setText("")
            self.origin.setText("")
            return
        self.today.setText(self._figure(self.tr("Today"), scores.today))
        self.month.setText(self._figure(self.tr("This month"), scores.month))
        self.origin.setText(
            self.tr("Computed on this kiosk")
            if scores.origin is ScoreOrigin.LOCAL
            else self.tr("From the scoring server")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
