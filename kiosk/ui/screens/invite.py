"""The rating invitation: shown the moment a service session ends, it asks the citizen to
rate the service just received, naming who served them (with their photo) and the ticket."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.desk import StaffMember


class InviteScreen(QWidget):
    rateRequested = Signal()
    #: "Not now": back to welcome; the session stays unrated.
    dismissed = Signal()
    #: The citizen asked for the other language.
    languageToggled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("inviteScreen")
        self.title = QLabel(self)
        self.title.setObjectName("inviteTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.photo = QLabel(self)
        self.photo.setObjectName("invitePhoto")
        self.photo.setScaledContents(True)
        self.staff = QLabel(self)
        self.staff.setObjectName("inviteStaff")
        self.staff.setWordWrap(True)
        self.ticket = QLabel(self)
        self.ticket.setObjectName("inviteTicket")
        self.ticket.setWordWrap(True)
        self.rate_button = QPushButton(self)
        self.rate_button.setObjectName("inviteRateButton")
        self.rate_button.clicked.connect(self.rateRequested)
        self.later_button = QPushButton(self)
        self.later_button.setObjectName("inviteLaterButton")
        self.later_button.clicked.connect(self.dismissed)
        self.language = QPushButton(self)
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.languageToggled)

        who = QVBoxLayout()
        who.addStretch(1)
        who.addWidget(self.staff)
        who.addWidget(self.ticket)
        who.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addSpacing(16)
        row.addLayout(who)
        row.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.later_button)
        bottom.addStretch(1)
        bottom.addWidget(self.language)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        layout.addWidget(self.rate_button)
        layout.addLayout(bottom)
        self._staff: StaffMember | None = None
        self._ticket: str | None = None
        self._matter: str | None = None
        self.retranslate()

    def show_session(
        self,
        staff: StaffMember | None,
        photo: Path | None,
        ticket: str | None,
        matter: str | None,
    ) -> None:
        """Who served and for what; the previous citizen's photo is replaced at once."""
        self._staff, self._ticket, self._matter = staff, ticket, matter
        pixmap = QPixmap(str(photo)) if photo else QPixmap()
        self.photo.setPixmap(pixmap)
        self.photo.setVisible(not pixmap.isNull())
        self.retranslate()

    def prompt(self) -> str:
        """What the voice prompt says."""
        return self.title.text()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Your service is complete. Please rate it."))
        staff = self._staff
        self.staff.setText(
            self.tr("Served by {name}  No. {number}").format(name=staff.name, number=staff.id)
            if staff
            else ""
        )
        parts = []
        if self._ticket:
            parts.append(self.tr("Ticket {ticket}").format(ticket=self._ticket))
        if self._matter:
            parts.append(self._matter)
        self.ticket.setText("  ·  ".join(parts))
        self.ticket.setVisible(bool(parts))
        self.rate_button.setText(self.tr("Rate this service"))
        self.later_button.setText(self.tr("Not now"))
        # Each language's own name, as on the welcome screen.
        self.language.setText("中文" if self.tr("Not now") == "Not now" else "English")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
