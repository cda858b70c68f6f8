"""Thanks: a thank-you that goes back to welcome on a tap (or after a while, by the flow)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class ThanksScreen(QWidget):
    dismissed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("thanksScreen")
        self.title = QLabel(self)
        self.title.setObjectName("thanksTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("thanksDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        #: Room for the receipt QR a later issue adds; empty and unstyled until then.
        self.receipt_slot = QFrame(self)
        self.receipt_slot.setObjectName("receiptSlot")
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.receipt_slot, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.retranslate()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        self.dismissed.emit()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Thank you for your rating!"))
        self.detail.setText(self.tr("Your rating has been saved."))
        self.hint.setText(self.tr("Tap anywhere to finish"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
