"""Whether Qt Virtual Keyboard comes up for a text field (the self-test asks), and what it
looks like over a screenshot."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget


def keyboard_rectangle(timeout_s: float = 10.0) -> QRect:
    """Focus a text field in a window of its own and ask for the input panel; the panel's
    rectangle, empty when no keyboard came up within `timeout_s`."""
    field = QLineEdit()
    field.resize(800, 480)
    field.show()
    field.activateWindow()
    QTest.qWaitForWindowActive(field)
    field.setFocus()
    method = QGuiApplication.inputMethod()
    method.show()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and method.keyboardRectangle().isEmpty():
        QCoreApplication.processEvents()
    rect = method.keyboardRectangle().toRect()
    method.hide()
    field.close()
    field.deleteLater()
    return rect


def paint_keyboard(image: QImage, field: QWidget) -> None:
    """Draw Qt Virtual Keyboard's own window over the screenshot where it would appear:
    it is a separate window, so grabbing the kiosk window alone would not show it.

    On the offscreen platform the keyboard's window takes activation from the kiosk window
    as soon as it shows, and so hides again at once; it is grabbed in between.
    """
    from PySide6.QtQuick import QQuickWindow

    method = QGuiApplication.inputMethod()
    field.setFocus()
    method.show()
    rect = method.keyboardRectangle().toRect()
    if not method.isVisible() or rect.isEmpty():
        print("screenshots: the virtual keyboard did not show", file=sys.stderr)
        return
    for window in QGuiApplication.topLevelWindows():
        if isinstance(window, QQuickWindow) and window.isVisible():
            keyboard = window.grabWindow().copy(rect)
            scaled = keyboard.scaledToWidth(image.width())
            painter = QPainter(image)
            painter.drawImage(0, image.height() - scaled.height(), scaled)
            painter.end()
            return
