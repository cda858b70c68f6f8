"""Comment entry: common phrases to tap, and one line typed on Qt Virtual Keyboard.

The field sits at the top of its own screen so the on-screen keyboard, which takes the
bottom half of a small screen, never covers it. The hall's common phrases (six to eight)
fill most comments with a tap or two; the keyboard offers exactly Chinese (pinyin) and
English, starts in the screen's language, and its globe key toggles between the two.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.config import Language, Phrase
from kiosk.ui.keyboard_languages import KeyboardLanguages
from kiosk.ui.widgets.flow_layout import FlowLayout
from sync.protocol import MAX_COMMENT_CHARS


class CommentScreen(QWidget):
    #: The citizen is done; carries the comment (possibly empty).
    done = Signal(str)
    cancelled = Signal()

    def __init__(
        self, phrases: Sequence[Phrase] = (), keyboard: KeyboardLanguages | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("commentScreen")
        self._keyboard = keyboard
        self._language: Language = "zh_CN"
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
        self.phrase_area = QWidget(self)
        self._phrase_flow = FlowLayout(self.phrase_area)
        self.phrases: list[QPushButton] = []
        self._phrases: list[Phrase] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.phrase_area)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.set_phrases(phrases)
        self.retranslate()

    def set_phrases(self, phrases: Sequence[Phrase]) -> None:
        for button in self.phrases:
            self._phrase_flow.removeWidget(button)
            button.deleteLater()
        self._phrases = list(phrases)
        self.phrases = []
        for index, _ in enumerate(self._phrases):
            button = QPushButton(self.phrase_area)
            button.setProperty("kind", "phrase")
            button.setObjectName(f"phrase_{index}")
            button.clicked.connect(lambda _=False, i=index: self._add_phrase(i))
            self._phrase_flow.addWidget(button)
            self.phrases.append(button)
        self._show_phrases()

    def edit(self, comment: str, language: Language = "zh_CN") -> None:
        """Start editing `comment`, with the keyboard and phrases in `language`."""
        self._language = language
        self.field.setText(comment)
        self._show_phrases()

    def _add_phrase(self, index: int) -> None:
        phrase = self._phrases[index].text(self._language)
        text = self.field.text().rstrip()
        if phrase in text:
            return
        separator = ("；" if self._language == "zh_CN" else "; ") if text else ""
        self.field.setText((text + separator + phrase)[:MAX_COMMENT_CHARS])
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_phrases(self) -> None:
        for button, phrase in zip(self.phrases, self._phrases, strict=True):
            button.setText(phrase.text(self._language))
        self.phrase_area.setVisible(bool(self.phrases))

    def _done(self) -> None:
        self.done.emit(self.field.text().strip())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._keyboard is not None:
            self._keyboard.apply(self._language)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        # Ask for the on-screen keyboard without waiting for a tap on the field; on the next
        # loop turn, once the screen switch (and its focus changes) is complete.
        QTimer.singleShot(0, self._request_keyboard)

    def _request_keyboard(self) -> None:
        if self.isVisible() and self.field.hasFocus():
            QGuiApplication.inputMethod().show()
            if self._keyboard is not None:
                self._keyboard.one_key_toggles()

    def hideEvent(self, event: QHideEvent) -> None:
        QGuiApplication.inputMethod().hide()
        super().hideEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Your comment (optional): tap a phrase or type"))
        self.field.setPlaceholderText(self.tr("Type here"))
        self.hint.setText(
            self.tr("The keyboard types Chinese (pinyin) or English: the globe key switches.")
        )
        self.cancel_button.setText(self.tr("Back"))
        self.done_button.setText(self.tr("Done"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
