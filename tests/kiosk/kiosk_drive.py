"""Driving the kiosk as a citizen would: taps on real widgets, and a clock tests move."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk

KioskFactory = Callable[..., Kiosk]


class FakeClock:
    """A monotonic clock a test moves by hand (cooldown, PIN lockout)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Finger:
    """Taps on real widgets, as the touchscreen delivers them (press, then release)."""

    def __init__(self, qtbot: QtBot) -> None:
        self._qtbot = qtbot

    def tap(self, widget: QWidget, pos: QPoint | None = None) -> None:
        where = pos if pos is not None else widget.rect().center()
        self._qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=where)
        self._qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=where)

    def star(self, kiosk: Kiosk, dimension: str, stars: int) -> None:
        editor = kiosk.flow.rate.stars[dimension]
        self.tap(editor, editor.star_center(stars).toPoint())

    def rate_all(self, kiosk: Kiosk, scores: dict[str, int]) -> None:
        for dimension, stars in scores.items():
            self.star(kiosk, dimension, stars)

    def submit(self, kiosk: Kiosk) -> None:
        """Tap Submit; where the reasons are a second step (small screens), that tap was
        "Next": tap Submit there too."""
        rate = kiosk.flow.rate
        self.tap(rate.submit_button)
        if rate.on_reasons_step():
            self.tap(rate.submit_button)
