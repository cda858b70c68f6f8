"""Load Qt Virtual Keyboard before the first citizen needs it.

The keyboard's QML (about 20 MiB and, on this machine, 0.4–1 s) loads the first time a
text field takes focus: without a warm-up, the first citizen who taps "comment" waits for
it. Focusing an invisible one-pixel field once, while the welcome screen is idle, loads it
without showing anything.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QWidget

#: How long the throwaway field keeps focus: the input context loads the keyboard from the
#: event loop after the focus change, not in it.
HOLD_MS = 100


def warm_up_keyboard(window: QWidget) -> bool:
    """Give a throwaway field focus inside `window` and take it back HOLD_MS later; False
    when the kiosk runs without the virtual keyboard (nothing to load)."""
    if os.environ.get("QT_IM_MODULE") != "qtvirtualkeyboard" or not window.isVisible():
        return False
    previous = window.focusWidget()
    field = QLineEdit(window)
    field.setFrame(False)
    field.setGeometry(0, 0, 1, 1)
    field.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    field.show()
    field.setFocus(Qt.FocusReason.OtherFocusReason)

    def give_back() -> None:
        # Only if nobody moved the focus meanwhile (a citizen's tap wins).
        if window.focusWidget() is field and previous is not None:
            previous.setFocus(Qt.FocusReason.OtherFocusReason)
        field.clearFocus()
        field.hide()
        field.deleteLater()

    QTimer.singleShot(HOLD_MS, field, give_back)
    return True
