"""Reason chips: toggle buttons for the reasons of one dimension's low score."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from kiosk.config import Language
from sync.reasons import Reason


class ReasonChips(QWidget):
    """A row of checkable chips, one per configured reason. Emits `toggled(code, on)`."""

    toggled = Signal(str, bool)

    def __init__(self, reasons: Sequence[Reason], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "chips")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._buttons: dict[str, QPushButton] = {}
        self._reasons = {r.code: r for r in reasons}
        for reason in reasons:
            button = QPushButton(self)
            button.setCheckable(True)
            button.setProperty("kind", "chip")
            button.setObjectName("chip_" + reason.code.replace(".", "_"))
            button.toggled.connect(lambda on, code=reason.code: self.toggled.emit(code, on))
            layout.addWidget(button)
            self._buttons[reason.code] = button
        layout.addStretch(1)

    def button(self, code: str) -> QPushButton:
        return self._buttons[code]

    def has_reasons(self) -> bool:
        return bool(self._buttons)

    def selected(self) -> list[str]:
        return [code for code, b in self._buttons.items() if b.isChecked()]

    def clear(self) -> None:
        for button in self._buttons.values():
            button.setChecked(False)

    def set_language(self, language: Language) -> None:
        for code, button in self._buttons.items():
            button.setText(self._reasons[code].label(language))
