"""`--simulate N`: drive the real widgets with taps to submit N varied ratings.

Burn-in for new hardware and a soak test: every rating goes welcome -> rate (a tap per
dimension, a reason chip for some low stars, now and then a typed comment) -> submit ->
thanks -> welcome, through the same widgets and signals a citizen's finger reaches. The
cooldown is honoured by moving a simulated clock forward, never by switching it off.
"""

from __future__ import annotations

import logging
import random
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from kiosk.ui.flow import FlowController, Screen
from sync.scoring import DIMENSION_CODES

log = logging.getLogger(__name__)

_COMMENTS = ("服务很好", "等了很久", "thanks", "材料清单不清楚")


class SimulatedClock:
    """A monotonic clock the simulator can move forward past the cooldown."""

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


def tap(widget: QWidget, pos: object | None = None) -> None:
    """A finger's tap: press and release, as the touchscreen's synthesized mouse events."""
    if pos is None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)  # type: ignore[call-overload]


def type_text(widget: QWidget, text: str) -> None:
    """Text as Qt Virtual Keyboard delivers it: an input-method commit (pinyin included)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QCoreApplication.sendEvent(widget, event)


class Simulator(QObject):
    """Submits `count` ratings through `flow`'s widgets, one per event-loop turn so the
    screens really paint between taps. Emits `finished(stored)`."""

    finished = Signal(int)
    progressed = Signal(int)

    def __init__(
        self, flow: FlowController, count: int, clock: SimulatedClock, seed: int = 2024
    ) -> None:
        super().__init__(flow)
        self._flow = flow
        self._count = count
        self._clock = clock
        self._random = random.Random(seed)
        self._stored = 0
        self._done = 0
        flow.ratingStored.connect(self._on_stored)

    def start(self) -> None:
        QTimer.singleShot(0, self._step)

    def _on_stored(self, _rating_id: str) -> None:
        self._stored += 1

    def _stars(self) -> int:
        # Mostly content citizens, some unhappy ones, so reasons and low scores are exercised.
        return self._random.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 8))[0]

    def rate_once(self) -> None:
        """One citizen's rating, by taps, from the welcome screen back to it."""
        flow = self._flow
        if flow.current() is not Screen.WELCOME:
            flow.go_welcome()
        tap(flow.welcome.cta)
        chosen: list[str] = []
        for code in DIMENSION_CODES:
            editor = flow.rate.stars[code]
            stars = self._stars()
            tap(editor, editor.star_center(stars).toPoint())
            reasons = flow.rate.reasons
            if reasons.is_shown(code) and self._random.random() < 0.7:
                chosen.append(self._random.choice(reasons.codes(code)))
        if chosen and flow.rate.reasons.button(chosen[0]).isVisibleTo(flow.rate) is False:
            tap(flow.rate.submit_button)  # "Next": the reasons are a second step here
        for code in chosen:
            tap(flow.rate.reasons.button(code))
        comment = self._random.choice(_COMMENTS) if self._random.random() < 0.2 else ""
        if comment:
            tap(flow.rate.comment_button)
            type_text(flow.comment.field, comment)
            tap(flow.comment.done_button)
        tap(flow.rate.submit_button)
        if flow.current() is Screen.THANKS:
            tap(flow.thanks)
        self._clock.advance(flow.config.cooldown_s + 0.1)

    def _step(self) -> None:
        if self._done >= self._count:
            log.info("simulation done: %d ratings stored", self._stored)
            self.finished.emit(self._stored)
            return
        self.rate_once()
        self._done += 1
        self.progressed.emit(self._done)
        QTimer.singleShot(0, self._step)
