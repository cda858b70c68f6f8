"""Live language switching: Qt's own translators for the app and for qtbase.

Installing or removing a translator makes Qt send `QEvent.LanguageChange` to every widget;
each screen answers it by re-reading its texts (`retranslate`). Strings that come from data
rather than from code (dimension and level names from `sync.scoring`, reason labels from the
configuration) are picked by `Localizer.language`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTranslator,
    Signal,
)

from kiosk.config import LANGUAGES, Language

log = logging.getLogger(__name__)

#: Where `make translations` puts the .qm files built from assets/translations/*.ts.
TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "assets" / "translations"


class Localizer(QObject):
    """Owns the installed translators and the current language."""

    languageChanged = Signal(str)

    def __init__(self, translations_dir: Path = TRANSLATIONS_DIR) -> None:
        super().__init__()
        self._dir = translations_dir
        self._translators: list[QTranslator] = []
        self._language: Language = "zh_CN"

    @property
    def language(self) -> Language:
        return self._language

    def pick(self, zh: str, en: str) -> str:
        """The text for the current language, for strings that come from data."""
        return zh if self._language == "zh_CN" else en

    def uninstall(self) -> None:
        """Remove this localizer's translators from the application."""
        app = QCoreApplication.instance()
        if app is not None:
            for old in self._translators:
                app.removeTranslator(old)
        self._translators = []

    def switch(self, language: Language) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("a QCoreApplication must exist before switching language")
        for old in self._translators:
            app.removeTranslator(old)
        self._translators = []
        self._language = language
        # The virtual keyboard and number formatting follow the default locale.
        QLocale.setDefault(QLocale(language))
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name, directory, required in (
            (f"qtbase_{language}", qt_dir, False),
            (f"hallrate_{language}", str(self._dir), language != "en"),
        ):
            translator = QTranslator(self)
            if translator.load(name, directory):
                app.installTranslator(translator)
                self._translators.append(translator)
            elif required:
                # English is the source language: without its .qm the UI is still English.
                log.warning("translation %s not in %s (make translations)", name, directory)
        # Deliver the LanguageChange events Qt just posted now, so no screen is ever seen
        # (or grabbed) half in the old language.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        self.languageChanged.emit(language)
