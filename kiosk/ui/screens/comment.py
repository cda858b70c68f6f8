"""Comment entry: one line of text typed on Qt Virtual Keyboard (pinyin for Chinese).

The field sits at the top of its own screen so the on-screen keyboard, which takes the
bottom half of a small screen, never covers it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from sync.protocol import MAX_COMMENT_CHARS


class CommentScreen(QWidget):
    #: The citizen is done; carries the comment (possibly empty).
    done = Signal(str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("commentScreen")
        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.field = QLineEdit(self)
        self.field.setObjectName("commentField")
        self.field.setMaxLength(MAX_COMMENT_CHARS)
        self.field.returnPressed.connect(self._done)
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancelled)
        self.done_button = QPushButton(self)
        self.done_button.setObjectName("doneButton")
        self.done_button.clicked.connect(self._done)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.retranslate()

    def edit(self, comment: str) -> None:
        self.field.setText(comment)

    def _done(self) -> None:
        self.done.emit(self.field.text().strip())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        # Ask for the on-screen keyboard without waiting for a tap on the field; on the next
        # loop turn, once the screen switch (and its focus changes) is complete.
        QTimer.singleShot(0, self._request_keyboard)

    def _request_keyboard(self) -> None:
        if self.isVisible() and self.field.hasFocus():
            QGuiApplication.inputMethod().show()

    def hideEvent(self, event: QHideEvent) -> None:
        QGuiApplication.inputMethod().hide()
        super().hideEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Your comment (optional)"))
        self.field.setPlaceholderText(self.tr("Type here"))
        self.hint.setText(
            self.tr("Use the keyboard below. The globe key switches between Chinese and English.")
        )
        self.cancel_button.setText(self.tr("Back"))
        self.done_button.setText(self.tr("Done"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
