"""A touch PIN pad: ten digits, delete, OK. It shows no digits: the screen that holds it
shows one dot per digit typed (`digitsChanged`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

MAX_PIN_DIGITS = 12


class PinPad(QWidget):
    """Collects digits by tap or keyboard and emits `entered(pin)` on OK or Enter."""

    entered = Signal(str)
    digitsChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._digits = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        for index, key in enumerate(layout):
            button = QPushButton(self)
            button.setProperty("kind", "pinKey")
            # Keys grow to fill the pad: bigger targets, no dead gaps between rows.
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setObjectName(f"pinKey_{key}")
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[key] = button
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()
        self._show()

    def clear(self) -> None:
        self._digits = ""
        self._show()

    def _show(self) -> None:
        self.digitsChanged.emit(len(self._digits))

    def _press(self, key: str) -> None:
        if key == "del":
            self._digits = self._digits[:-1]
        elif key == "ok":
            pin, self._digits = self._digits, ""
            self._show()
            self.entered.emit(pin)
            return
        elif len(self._digits) < MAX_PIN_DIGITS:
            self._digits += key
        self._show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and len(text) == 1:
            self._press(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._press("del")
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._press("ok")
        else:
            super().keyPressEvent(event)

    def retranslate(self) -> None:
        for key, button in self.keys.items():
            if key == "del":
                button.setText(self.tr("Delete"))
            elif key == "ok":
                button.setText(self.tr("OK"))
            else:
                button.setText(key)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
