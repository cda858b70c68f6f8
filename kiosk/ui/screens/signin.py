"""Staff sign-in and sign-out: the badge (staff) number on a PIN pad."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.desk import StaffMember
from kiosk.ui.widgets.pinpad import PinPad


class SignInScreen(QWidget):
    #: The badge number typed (digits).
    badgeEntered = Signal(str)
    signOutRequested = Signal()
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("signInScreen")
        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.duty = QLabel(self)
        self.duty.setObjectName("signInDuty")
        self.duty.setWordWrap(True)
        self.display = QLabel(self)
        self.display.setObjectName("pinDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pad = PinPad(self)
        self.pad.entered.connect(self.badgeEntered)
        self.pad.digitsChanged.connect(lambda n: self.display.setText("●" * n))
        self.message = QLabel(self)
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.sign_out_button = QPushButton(self)
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.clicked.connect(self.signOutRequested)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancelled)
        column = QVBoxLayout()
        column.addWidget(self.title)
        column.addWidget(self.duty)
        column.addWidget(self.display)
        column.addWidget(self.message)
        column.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(column, 1)
        layout.addWidget(self.pad, 1)
        self._on_duty: StaffMember | None = None
        self._problem = False
        self.retranslate()

    def reset(self, on_duty: StaffMember | None) -> None:
        self._on_duty = on_duty
        self._problem = False
        self.pad.clear()
        self.sign_out_button.setVisible(on_duty is not None)
        self.retranslate()

    def show_unknown(self) -> None:
        self._problem = True
        self.pad.clear()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff: enter your staff number to sign in"))
        self.duty.setText(
            self.tr("Now on duty: {name}").format(name=self._on_duty.name)
            if self._on_duty
            else self.tr("Nobody is signed in: the counter shows as closed.")
        )
        self.message.setText(
            self.tr("No staff member of this counter has that number.") if self._problem else ""
        )
        self.sign_out_button.setText(self.tr("Sign out"))
        self.cancel_button.setText(self.tr("Back"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
