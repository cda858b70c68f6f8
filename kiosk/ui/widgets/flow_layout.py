"""A layout that places its items left to right and wraps them onto new lines, like words.

After Qt's own flow layout example (qtbase `examples/widgets/layouts/flowlayout`), with one
addition: `height_for` can count hidden items too, so a screen can reserve the room that
every reason chip would need before any of them is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def set_gap(self, gap: int) -> None:
        self._gap = gap
        self.invalidate()

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        # The rate screen gives the reasons their room once (`height_for`); answering
        # height-for-width here would make every chip shown or hidden re-run the whole
        # screen's layout, several times, within the tap that showed it.
        return False

    def height_for(self, width: int, *, include_hidden: bool) -> int:
        """The height the items need at `width`; with `include_hidden`, as if all showed."""
        return self._place(QRect(0, 0, width, 0), apply=False, include_hidden=include_hidden)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, apply=True, include_hidden=False)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, *, apply: bool, include_hidden: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        shown = [item for item in self._items if include_hidden or not _hidden(item)]
        sizes = [self._size(item, rect.width()) for item in shown]
        for index, item in enumerate(shown):
            hint = sizes[index]
            width = hint.width()
            # An item marked keepWithNext (a heading) wraps together with what follows it.
            needed = width
            widget = item.widget()
            if widget is not None and widget.property("keepWithNext") and index + 1 < len(shown):
                needed += self._gap + sizes[index + 1].width()
            if x > rect.x() and x + needed > rect.right() + 1:
                x, y, line_height = rect.x(), y + line_height + self._gap, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()

    @staticmethod
    def _size(item: QLayoutItem, most: int) -> QSize:
        hint = item.sizeHint()
        widget = item.widget()
        if widget is not None:
            hint = hint.expandedTo(widget.minimumSizeHint()).expandedTo(widget.minimumSize())
        return QSize(min(hint.width(), most), hint.height())


def _hidden(item: QLayoutItem) -> bool:
    widget = item.widget()
    return widget is not None and widget.isHidden()
