"""The QApplication a kiosk runs in, set up before any widget exists."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QApplication

from kiosk.ui.style import apply_stylesheet


def make_application(argv: list[str]) -> QApplication:
    """The QApplication, with the on-screen keyboard and the stylesheet."""
    # Must be set before the QApplication exists: Qt picks the input method once.
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    app = QApplication(argv)
    app.setApplicationName("hallrate-kiosk")
    apply_stylesheet(app)
    return app
