"""The kiosk's one top-level window: holds the screen stack, enforces kiosk mode and picks the
size class the stylesheet scales fonts and touch targets by."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.style import repolish


def size_class(size: QSize) -> str:
    """The stylesheet's size class for a screen: 800x480 is compact, 1280x800 regular,
    1920x1080 large."""
    if size.height() < 600 or size.width() < 1024:
        return "compact"
    if size.height() < 1000:
        return "regular"
    return "large"


class KioskWindow(QWidget):
    """In kiosk mode: frameless, on top, full screen, and close requests (Alt+F4, the
    window manager's close, Esc) are ignored until the admin screen allows it."""

    def __init__(self, *, kiosk_mode: bool) -> None:
        super().__init__()
        self.setObjectName("kioskRoot")
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._kiosk_mode = kiosk_mode
        self._may_close = not kiosk_mode
        self._large_text = False
        self.setProperty("scale", "")
        if kiosk_mode:
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
        self.setWindowTitle("hallrate")

    @property
    def kiosk_mode(self) -> bool:
        return self._kiosk_mode

    def present(self) -> None:
        if self._kiosk_mode:
            self.showFullScreen()
        else:
            self.show()

    def allow_close(self) -> None:
        """Let the next close request through (the admin's "exit kiosk")."""
        self._may_close = True

    def set_large_text(self, on: bool) -> None:
        self._large_text = on
        self._restyle()

    def large_text(self) -> bool:
        return self._large_text

    def scale(self) -> str:
        return str(self.property("scale"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            event.accept()
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._kiosk_mode and event.key() == Qt.Key.Key_Escape:
            event.accept()  # swallowed: Esc must not leave or close anything
            return
        focused = self.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(
            focused, QAbstractButton
        ):
            # Outside dialogs a button ignores Enter; a keyboard user expects it to press.
            focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        # A window manager may un-fullscreen us (e.g. a minimise shortcut); go back.
        if (
            self._kiosk_mode
            and not self._may_close
            and event.type() == QEvent.Type.WindowStateChange
            and not self.isFullScreen()
            and self.isVisible()
        ):
            self.showFullScreen()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._restyle()

    def _restyle(self) -> None:
        scale = size_class(self.size()) + ("-xl" if self._large_text else "")
        if scale != self.property("scale"):
            self.setProperty("scale", scale)
            repolish(self)
