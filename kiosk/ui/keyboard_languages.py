"""The on-screen keyboard's languages: exactly Chinese (pinyin) and English, starting in the
screen's language, and one key that toggles between the two.

Qt Virtual Keyboard offers every layout it ships (about 40) and its globe key opens a list
of them; it starts in the default locale's layout, which for a kiosk set to zh_CN without a
matching system locale is British English. Its settings are a process-wide singleton
(`VirtualKeyboardSettings`), reachable from any QML engine: a tiny component sets the two
active locales and the starting one. The globe key toggles instead of opening a list once
the keyboard's style says so (`languagePopupListEnabled`), set on the loaded keyboard.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, QObject
from PySide6.QtGui import QGuiApplication

from kiosk.config import Language

log = logging.getLogger(__name__)

#: The keyboard locale for each screen language; the keyboard offers exactly these.
KEYBOARD_LOCALES: dict[Language, str] = {"zh_CN": "zh_CN", "en": "en_US"}

_SETTINGS_QML = b"""
import QtQuick
import QtQuick.VirtualKeyboard.Settings
QtObject {
    function apply(locales, locale) {
        VirtualKeyboardSettings.activeLocales = locales.split(",")
        VirtualKeyboardSettings.locale = locale
    }
    function activeLocales() { return VirtualKeyboardSettings.activeLocales.join(",") }
}
"""


def keyboard_item() -> QObject | None:
    """The loaded keyboard (`InputPanel`'s Keyboard item), or None before it is loaded."""
    from PySide6.QtQuick import QQuickWindow

    for window in QGuiApplication.topLevelWindows():
        if not isinstance(window, QQuickWindow):
            continue
        pending = [window.contentItem()]
        while pending:
            item = pending.pop()
            if item.objectName() == "keyboard":
                return item
            pending.extend(item.childItems())
    return None


class KeyboardLanguages(QObject):
    """Sets the on-screen keyboard to the screen's language (`apply`); does nothing when the
    kiosk runs without Qt Virtual Keyboard."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings: QObject | None = None
        self._engine: QObject | None = None

    def available(self) -> bool:
        return os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"

    def _load(self) -> QObject | None:
        if self._settings is None:
            from PySide6.QtQml import QQmlComponent, QQmlEngine

            engine = QQmlEngine(self)
            component = QQmlComponent(engine)
            component.setData(_SETTINGS_QML, "keyboard_languages.qml")
            settings = component.create()
            if settings is None:
                log.error(
                    "keyboard languages not set: %s",
                    "; ".join(e.toString() for e in component.errors()),
                )
                return None
            settings.setParent(self)
            self._engine, self._settings = engine, settings
        return self._settings

    def apply(self, language: Language) -> bool:
        """Offer Chinese and English only, starting in `language`; False when no keyboard."""
        if not self.available():
            return False
        settings = self._load()
        if settings is None:
            return False
        locales = ",".join(KEYBOARD_LOCALES.values())
        QMetaObject.invokeMethod(
            settings,
            "apply",
            Q_ARG("QVariant", locales),
            Q_ARG("QVariant", KEYBOARD_LOCALES[language]),
        )
        self.one_key_toggles()
        return True

    def one_key_toggles(self) -> None:
        """Make the globe key switch to the other language instead of opening a list (once
        the keyboard is loaded; called again when it shows)."""
        keyboard = keyboard_item()
        style = keyboard.property("style") if keyboard is not None else None
        if isinstance(style, QObject) and style.property("languagePopupListEnabled"):
            style.setProperty("languagePopupListEnabled", False)

    def active_locales(self) -> list[str]:
        settings = self._load() if self.available() else None
        if settings is None:
            return []
        answer = QMetaObject.invokeMethod(settings, "activeLocales", Q_RETURN_ARG("QVariant"))
        return str(answer).split(",") if answer else []

    def locale(self) -> str:
        """The language the keyboard types in now ("" before it is loaded)."""
        keyboard = keyboard_item()
        return str(keyboard.property("locale") or "") if keyboard is not None else ""
