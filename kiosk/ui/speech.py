"""The spoken prompt: QTextToSpeech when an engine is present, silently nothing otherwise."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLocale

log = logging.getLogger(__name__)


class SilentSpeaker:
    """A speaker for kiosks without speech (and for tests)."""

    def say(self, text: str, language: str) -> None:
        del text, language


class QtSpeaker:
    """Speaks through QTextToSpeech. The engine is created on first use, so a kiosk without
    one pays nothing at start; any engine error turns the speaker silent for good."""

    def __init__(self, engine: str | None = None) -> None:
        self._engine_name = engine
        self._tts: object | None = None
        self._broken = False

    def _engine(self) -> object | None:
        if self._broken:
            return None
        if self._tts is None:
            # Imported here: QtTextToSpeech pulls in QtMultimedia, ~20 ms a kiosk without
            # speech should not pay at start.
            from PySide6.QtTextToSpeech import QTextToSpeech

            engines = QTextToSpeech.availableEngines()
            name = self._engine_name
            if name is None:
                # "mock" only exists for Qt's own tests: it is not a speech engine.
                real = [e for e in engines if e != "mock"]
                name = real[0] if real else None
            if name is None or name not in engines:
                log.info("no text-to-speech engine; the prompt stays silent")
                self._broken = True
                return None
            tts = QTextToSpeech(name)
            if tts.state() == QTextToSpeech.State.Error:
                log.info("text-to-speech engine %s unusable: %s", name, tts.errorString())
                self._broken = True
                return None
            self._tts = tts
        return self._tts

    def say(self, text: str, language: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        tts = self._engine()
        if not isinstance(tts, QTextToSpeech):
            return
        wanted = QLocale(language)
        if wanted in tts.availableLocales():
            tts.setLocale(wanted)
        tts.say(text)
