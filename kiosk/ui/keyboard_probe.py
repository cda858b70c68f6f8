"""Whether Qt Virtual Keyboard comes up for a text field (the self-test asks)."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit


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
