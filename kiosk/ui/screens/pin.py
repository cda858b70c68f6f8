"""The admin PIN pad screen."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.pin import PinAnswer, PinResult
from kiosk.ui.widgets.pinpad import PinPad


class PinScreen(QWidget):
    pinEntered = Signal(str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("pinScreen")
        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancelled)
        self.title.setWordWrap(True)
        self.display = QLabel(self)
        self.display.setObjectName("pinDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pad = PinPad(self)
        self.pad.entered.connect(self.pinEntered)
        self.pad.digitsChanged.connect(lambda n: self.display.setText("●" * n))
        self.message = QLabel(self)
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        # Side by side: a landscape screen has width to spare and little height.
        column = QVBoxLayout()
        column.addWidget(self.title)
        column.addWidget(self.display)
        column.addWidget(self.message)
        column.addStretch(1)
        column.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QHBoxLayout(self)
        layout.addLayout(column, 1)
        layout.addWidget(self.pad, 1)
        self._answer: PinAnswer | None = None
        self.retranslate()

    def reset(self) -> None:
        self.pad.clear()
        self._answer = None
        self.message.setText("")

    def show_answer(self, answer: PinAnswer) -> None:
        self._answer = answer
        self._show_answer()

    def show_locked(self, seconds: float) -> None:
        self.show_answer(PinAnswer(PinResult.LOCKED, 0, seconds))

    def _show_answer(self) -> None:
        answer = self._answer
        if answer is None or answer.result is PinResult.ACCEPTED:
            self.message.setText("")
        elif answer.result is PinResult.WRONG:
            self.message.setText(
                self.tr("Wrong PIN. %n attempt(s) left.", "", answer.attempts_left)
            )
        else:
            minutes = max(1, math.ceil(answer.locked_for_s / 60))
            self.message.setText(
                self.tr("Too many wrong PINs. Locked for %n minute(s).", "", minutes)
            )

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff only: enter the admin PIN"))
        self.cancel_button.setText(self.tr("Back"))
        self._show_answer()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
