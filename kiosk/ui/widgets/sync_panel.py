"""The admin screen's sync section: status, "sync now", enrollment and export to USB."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.device import SyncStatus


def _when(ts: float | None) -> str | None:
    return (
        None if ts is None else datetime.fromtimestamp(ts).astimezone().strftime("%m-%d %H:%M:%S")
    )


class SyncPanel(QFrame):
    syncRequested = Signal()
    enrollRequested = Signal(str, str)  # server URL, enrollment code
    exportRequested = Signal(str)  # folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self._status: SyncStatus | None = None
        self._note = ""
        self.heading = QLabel(self)
        self.heading.setProperty("kind", "heading")
        self.status = QLabel(self)
        self.status.setObjectName("syncStatus")
        self.status.setWordWrap(True)
        # Plain text: an error may hold anything and must not be read as markup.
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.sync_button = QPushButton(self)
        self.sync_button.setObjectName("syncNowButton")
        self.sync_button.clicked.connect(self.syncRequested)

        self.server_url = QLineEdit(self)
        self.server_url.setObjectName("serverUrl")
        self.server_url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.code = QLineEdit(self)
        self.code.setObjectName("enrollCode")
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhNoPredictiveText)
        self.enroll_button = QPushButton(self)
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.clicked.connect(
            lambda: self.enrollRequested.emit(self.server_url.text().strip(), self.code.text())
        )
        self.folder = QLineEdit(self)
        self.folder.setObjectName("exportFolder")
        self.folder.setText("/media")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(
            lambda: self.exportRequested.emit(self.folder.text().strip())
        )
        self.note = QLabel(self)
        self.note.setObjectName("syncNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)

        self.form = QFormLayout()
        self.url_label = QLabel(self)
        self.code_label = QLabel(self)
        self.folder_label = QLabel(self)
        self.form.addRow(self.url_label, self.server_url)
        self.form.addRow(self.code_label, self.code)
        self.form.addRow(self.folder_label, self.folder)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.status)
        column.addLayout(self.form)
        column.addLayout(buttons)
        column.addWidget(self.note)
        self.retranslate()

    def show_status(self, status: SyncStatus) -> None:
        self._status = status
        if status.server_url and not self.server_url.text():
            self.server_url.setText(status.server_url)
        self._show_status()

    def show_note(self, text: str) -> None:
        self._note = text
        self.note.setText(text)

    def _show_status(self) -> None:
        s = self._status
        if s is None:
            self.status.setText("")
            return
        never = self.tr("never")
        if not s.enrolled:
            state = self.tr("Not enrolled: enter the server address and an enrollment code.")
        elif s.must_enroll_again:
            state = self.tr("The server refused this device: enroll it again with a new code.")
        else:
            state = self.tr("Enrolled with {url}").format(url=s.server_url)
        lines = [
            state,
            self.tr("Waiting to upload: {n}").format(n=s.pending),
            self.tr("Refused by the server (kept here): {n}").format(n=s.dead),
            self.tr("Last success: {when}").format(when=_when(s.last_success_ts) or never),
            self.tr("Last problem: {error}").format(error=self._plain_error(s.last_error)),
            self.tr("Next attempt: {when}").format(
                when=_when(s.next_attempt_ts) or self.tr("when due")
            ),
        ]
        self.status.setText("\n".join(lines))

    def _plain_error(self, error: str | None) -> str:
        """The last sync error in words hall IT can act on, not the client's raw text."""
        if not error:
            return self.tr("none")
        if error.startswith("network"):
            return self.tr("the server could not be reached: check the network and address")
        if error.startswith(("HTTP 5", "HTTP 429", "busy", "unavailable")):
            return self.tr("the server was busy or down; the kiosk tries again by itself")
        if "enrolled again" in error or error.startswith(("HTTP 401", "unauthorized")):
            return self.tr("the server no longer accepts this kiosk: enroll it again")
        return self.tr("the server's answer was not usable; the kiosk tries again by itself")

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Server sync"))
        self.sync_button.setText(self.tr("Sync now"))
        self.enroll_button.setText(self.tr("Enroll"))
        self.export_button.setText(self.tr("Export to USB"))
        self.url_label.setText(self.tr("Server address"))
        self.code_label.setText(self.tr("Enrollment code"))
        self.folder_label.setText(self.tr("USB folder"))
        self.server_url.setPlaceholderText("https://hallrate.example.gov.cn")
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
