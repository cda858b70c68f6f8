"""Reason chips: one fixed panel holding the reasons of every dimension rated low.

Each low-rated dimension shows its name, then its reasons as toggle buttons, all flowing in
one area whose place on the screen never changes: a chip appearing never moves a row of
stars (the rate screen gives the panel its own room, beside or below the rows, or a second
step).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.config import Language
from kiosk.ui.widgets.flow_layout import FlowLayout
from sync.reasons import Reason
from sync.scoring import DIMENSIONS


class ReasonPanel(QWidget):
    """Emits `toggled(code, on)` when a chip is tapped."""

    toggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasonPanel")
        # Its box is drawn: the place where reasons appear is visible before they do.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel(self)
        self.title.setObjectName("reasonTitle")
        self.title.setWordWrap(True)
        self.empty = QLabel(self)
        self.empty.setObjectName("reasonEmpty")
        self.empty.setWordWrap(True)
        self.area = QWidget(self)
        self.flow = FlowLayout(self.area)
        self._column = QVBoxLayout(self)
        self._column.addWidget(self.title)
        self._column.addWidget(self.empty)
        self._column.addWidget(self.area, 1)
        self._heads: dict[str, QLabel] = {}
        self._buttons: dict[str, QPushButton] = {}
        self._by_dimension: dict[str, list[str]] = {}
        self._reasons: dict[str, Reason] = {}
        self._shown: set[str] = set()
        self._language: Language = "zh_CN"
        self._names = {d.code: d for d in DIMENSIONS}

    def set_reasons(self, reasons: Sequence[Reason]) -> None:
        """Offer `reasons` (what is selected and shown is forgotten)."""
        while (item := self.flow.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self._heads, self._buttons, self._shown = {}, {}, set()
        self._reasons = {r.code: r for r in reasons}
        self._by_dimension = {d.code: [] for d in DIMENSIONS}
        for reason in reasons:
            self._by_dimension.setdefault(reason.dimension, []).append(reason.code)
        for dimension in DIMENSIONS:
            codes = self._by_dimension[dimension.code]
            if not codes:
                continue
            head = QLabel(self.area)
            head.setProperty("kind", "reasonHead")
            head.setProperty("keepWithNext", True)
            head.hide()
            self.flow.addWidget(head)
            self._heads[dimension.code] = head
            for code in codes:
                button = QPushButton(self.area)
                button.setCheckable(True)
                button.setProperty("kind", "chip")
                button.setObjectName("chip_" + code.replace(".", "_"))
                button.toggled.connect(lambda on, c=code: self.toggled.emit(c, on))
                button.hide()
                self.flow.addWidget(button)
                self._buttons[code] = button
        self.set_language(self._language)
        # Polished now, between citizens: the first tap that shows a chip must not pay for it.
        for widget in (*self._heads.values(), *self._buttons.values()):
            widget.ensurePolished()
        self._show_empty()

    def button(self, code: str) -> QPushButton:
        return self._buttons[code]

    def offers(self, dimension: str) -> bool:
        """Whether `dimension` has reasons to offer at all."""
        return bool(self._by_dimension.get(dimension))

    def codes(self, dimension: str) -> list[str]:
        """The codes of the reasons offered for `dimension`, in display order."""
        return list(self._by_dimension.get(dimension, []))

    def codes_all(self) -> list[str]:
        return list(self._buttons)

    def is_shown(self, dimension: str) -> bool:
        return dimension in self._shown

    def shown(self) -> list[str]:
        return [d.code for d in DIMENSIONS if d.code in self._shown]

    def show_dimension(self, dimension: str, on: bool) -> None:
        """Show (or hide, unselecting them) the reasons of `dimension`."""
        if not self.offers(dimension) or (dimension in self._shown) == on:
            return
        if on:
            self._shown.add(dimension)
        else:
            self._shown.discard(dimension)
        self._heads[dimension].setVisible(on)
        for code in self._by_dimension[dimension]:
            button = self._buttons[code]
            if not on:
                button.setChecked(False)
            button.setVisible(on)
        self._show_empty()

    def selected(self) -> list[str]:
        return [code for code, b in self._buttons.items() if b.isChecked()]

    def clear(self) -> None:
        for dimension in list(self._shown):
            self.show_dimension(dimension, False)

    def needed_height(self, width: int, *, with_title: bool = True) -> int:
        """The height the panel needs at `width` with every dimension's reasons shown."""
        margins = self._column.contentsMargins()
        inner = width - margins.left() - margins.right()
        spacing = self._column.spacing()
        title = self.title.heightForWidth(inner) + spacing if with_title else 0
        flow = self.flow.height_for(inner, include_hidden=True)
        return margins.top() + title + flow + margins.bottom()

    def widest_chip(self) -> int:
        widths = [b.sizeHint().width() for b in self._buttons.values()]
        widths += [h.sizeHint().width() for h in self._heads.values()]
        return max(widths, default=0)

    def set_language(self, language: Language) -> None:
        self._language = language
        for code, button in self._buttons.items():
            button.setText(self._reasons[code].label(language))
        for code, head in self._heads.items():
            dimension = self._names[code]
            head.setText((dimension.name_zh if language == "zh_CN" else dimension.name_en) + ":")

    def _show_empty(self) -> None:
        self.empty.setVisible(not self._shown)
