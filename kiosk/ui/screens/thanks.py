"""Thanks: a thank-you, the receipt QR to follow the rating, whether the receipt printed;
back to welcome on a tap (or after a while, by the flow).

After a low score it says what happens next: the hall answers within its deadline, the QR
follows it, and on that page (on the citizen's own phone, with the consent text there) the
citizen may leave a number for a call-back. The kiosk itself asks for nothing: ratings
stay anonymous unless the citizen chooses otherwise."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.widgets.qr import QrCode

PrintState = Literal["none", "printing", "printed", "failed"]


class ThanksScreen(QWidget):
    dismissed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("thanksScreen")
        self._code = ""
        self._has_url = False
        self._print: PrintState = "none"
        self.title = QLabel(self)
        self.title.setObjectName("thanksTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("thanksDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.follow_up = QLabel(self)
        self.follow_up.setObjectName("followUp")
        self.follow_up.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.follow_up.setWordWrap(True)
        self.follow_up.hide()
        self._follow_up_hours: int | None = None

        # The receipt: a QR for the page that follows the rating, and its code to type.
        self.receipt = QWidget(self)
        self.receipt.setObjectName("receiptSlot")
        self.receipt_qr = QrCode(self.receipt)
        self.receipt_qr.setObjectName("receiptQr")
        self.receipt_hint = QLabel(self.receipt)
        self.receipt_hint.setObjectName("receiptHint")
        self.receipt_hint.setWordWrap(True)
        self.receipt_code = QLabel(self.receipt)
        self.receipt_code.setObjectName("receiptCode")
        self.print_note = QLabel(self.receipt)
        self.print_note.setObjectName("printNote")
        self.print_note.setWordWrap(True)
        texts = QVBoxLayout()
        texts.addStretch(1)
        texts.addWidget(self.receipt_hint)
        texts.addWidget(self.receipt_code)
        texts.addWidget(self.print_note)
        texts.addStretch(1)
        row = QHBoxLayout(self.receipt)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.receipt_qr, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(texts, 1)
        self.receipt.hide()

        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.follow_up)
        layout.addWidget(self.receipt, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.retranslate()

    def show_receipt(self, code: str, url: str | None) -> None:
        """The rating's receipt code, and its QR when the server's address is known."""
        self._code = code
        self._has_url = url is not None
        self.receipt_qr.set_text(url or "")
        self.receipt_qr.setVisible(url is not None)
        self.receipt.setVisible(bool(code))
        self._print = "none"
        self.retranslate()

    def show_follow_up(self, hours: int | None) -> None:
        """After a low score, `hours` the hall has to answer it; None after any other."""
        self._follow_up_hours = hours
        self.follow_up.setVisible(hours is not None)
        self._show_follow_up()

    def _show_follow_up(self) -> None:
        hours = self._follow_up_hours
        if hours is None:
            self.follow_up.setText("")
            return
        text = self.tr(
            "We are sorry we did not satisfy you. The hall will look into it and reply "
            "within {hours} hours."
        ).format(hours=hours)
        # Sentences in Chinese follow each other without a space.
        space = "" if text.endswith("。") else " "
        if self._has_url:
            text += space + self.tr(
                "Scan the QR below to follow it. If you would like us to call you back, you "
                "can leave a phone number on that page (optional)."
            )
        else:
            text += space + self.tr("Keep the receipt code below to follow it.")
        self.follow_up.setText(text)

    def show_print_state(self, state: PrintState) -> None:
        self._print = state
        self._show_print_state()

    def print_state(self) -> PrintState:
        return self._print

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        self.dismissed.emit()

    def _show_print_state(self) -> None:
        notes = {
            "none": "",
            "printing": self.tr("Printing your receipt…"),
            "printed": self.tr("Please take your printed receipt."),
            "failed": self.tr(
                "Sorry, the receipt could not be printed. Scan the code or note "
                "the receipt code instead."
            ),
        }
        self.print_note.setText(notes[self._print])
        self.print_note.setVisible(self._print != "none")
        failed = self._print == "failed"
        if self.print_note.property("failed") != failed:
            # Re-polishing costs milliseconds: only when the stylesheet's selector changes.
            self.print_note.setProperty("failed", failed)
            style = self.print_note.style()
            style.unpolish(self.print_note)
            style.polish(self.print_note)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Thank you for your rating!"))
        self.detail.setText(self.tr("Your rating has been saved."))
        if self._has_url:
            self.receipt_hint.setText(self.tr("Scan to follow what happens to your rating"))
        else:
            self.receipt_hint.setText(self.tr("Follow your rating with this receipt code"))
        self.receipt_code.setText(self.tr("Receipt code: {code}").format(code=self._code))
        self.hint.setText(self.tr("Tap anywhere to finish"))
        self._show_follow_up()
        self._show_print_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
