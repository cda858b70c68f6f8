"""The comment screen: common phrases by tap, and the on-screen keyboard in exactly Chinese
(pinyin) and English, starting in the screen's language, one key toggling.

Qt picks its input method when the QApplication is made, so the keyboard tests run a kiosk
in a child process with QT_IM_MODULE=qtvirtualkeyboard, as `hallrate-kiosk` runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.config import ConfigError, load_config
from kiosk.ui.flow import Screen
from sync.scoring import DIMENSION_CODES
from tests.kiosk.kiosk_drive import Finger

CHILD = """
import json, os, sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QMetaObject, Q_ARG, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlComponent, qmlContext, qmlEngine
from PySide6.QtTest import QTest
from kiosk.app import open_kiosk
from kiosk.config import KioskConfig
from kiosk.ui.application import make_application
from kiosk.ui.keyboard_languages import keyboard_item

TYPE_QML = b'''
import QtQuick
import QtQuick.VirtualKeyboard
QtObject { function click(key, text) { InputContext.inputEngine.virtualKeyClick(key, text, 0) } }
'''

def wait(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        QCoreApplication.processEvents()
    return condition()

def find(item, name):
    pending = [item]
    while pending:
        current = pending.pop()
        if current.objectName() == name:
            return current
        pending.extend(current.childItems())
    return None

app = make_application([])
kiosk = open_kiosk(
    KioskConfig(speech=False, language=sys.argv[2]), Path(sys.argv[1]), kiosk_mode=False
)
kiosk.window.resize(800, 480)
kiosk.window.present()
kiosk.window.activateWindow()
QTest.qWaitForWindowActive(kiosk.window)
flow = kiosk.flow
QTest.mouseClick(flow.welcome.cta, Qt.MouseButton.LeftButton)
QTest.mouseClick(flow.rate.comment_button, Qt.MouseButton.LeftButton)
result = {"screen": flow.current().value}
result["keyboard_shown"] = wait(
    lambda: keyboard_item() is not None and bool(keyboard_item().property("locale"))
)
keyboard = keyboard_item()
result["starts_in"] = keyboard.property("locale")
result["languages"] = sorted(flow.comment._keyboard.active_locales())
result["popup_list"] = bool(keyboard.property("style").property("languagePopupListEnabled"))

# The field has the focus again (offscreen, the keyboard's window takes it when it shows).
kiosk.window.activateWindow()
flow.comment.field.setFocus()
QCoreApplication.processEvents()
component = QQmlComponent(qmlEngine(keyboard))
component.setData(TYPE_QML, "type.qml")
typer = component.create(qmlContext(keyboard))
for letter in sys.argv[3]:
    code = ord(letter.upper())
    QMetaObject.invokeMethod(typer, "click", Q_ARG("QVariant", code), Q_ARG("QVariant", letter))
    QCoreApplication.processEvents()
space = int(Qt.Key.Key_Space)
QMetaObject.invokeMethod(typer, "click", Q_ARG("QVariant", space), Q_ARG("QVariant", " "))
wait(lambda: flow.comment.field.text() != "", 3)
result["typed"] = flow.comment.field.text()

# The globe key: one tap goes to the other language, a second one back; no list opens.
locales = []
for _ in range(2):
    # Each language has its own layout, with its own globe key.
    QMetaObject.invokeMethod(find(keyboard, "changeLanguageKey"), "clicked")
    before = locales[-1] if locales else result["starts_in"]
    wait(lambda: keyboard.property("locale") != before, 3)
    locales.append(keyboard.property("locale"))
result["after_toggles"] = locales
popup = find(keyboard, "languagePopupList")
result["list_opened"] = bool(popup is not None and popup.property("visible"))
QTest.mouseClick(flow.comment.done_button, Qt.MouseButton.LeftButton)
result["comment"] = flow.rate.draft().comment
kiosk.close()
print(json.dumps(result, ensure_ascii=False), flush=True)
os._exit(0)
"""


def _run_child(tmp_path: Path, language: str, letters: str) -> dict[str, object]:
    env = {**os.environ, "QT_IM_MODULE": "qtvirtualkeyboard", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), language, letters],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_chinese_screen_types_pinyin_into_hanzi_and_the_globe_key_toggles_to_english(
    tmp_path: Path,
) -> None:
    result = _run_child(tmp_path, "zh_CN", "nihao")
    assert result == {
        "screen": "comment",
        "keyboard_shown": True,
        "starts_in": "zh_CN",
        "languages": ["en_US", "zh_CN"],
        "popup_list": False,
        "typed": "你好",
        "after_toggles": ["en_US", "zh_CN"],
        "list_opened": False,
        "comment": "你好",
    }


def test_english_screen_starts_the_keyboard_in_english(tmp_path: Path) -> None:
    result = _run_child(tmp_path, "en", "nihao")
    assert result["starts_in"] == "en_US"
    assert result["languages"] == ["en_US", "zh_CN"]
    typed = str(result["typed"])
    assert typed
    assert typed.isascii(), "the English keyboard types Latin letters, no 汉字"
    assert result["after_toggles"] == ["zh_CN", "en_US"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh_CN", "工作人员态度很好；办事效率高"),
        ("en", "Staff were very friendly; Quick and efficient"),
    ],
)
def test_two_phrase_taps_make_a_comment_without_typing(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot, language: str, expected: str
) -> None:
    flow = kiosk.flow
    if language == "en":
        finger.tap(flow.welcome.language)
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, {c: 5 for c in DIMENSION_CODES})
    finger.tap(flow.rate.comment_button)
    assert flow.current() is Screen.COMMENT
    assert 6 <= len(flow.comment.phrases) <= 8
    finger.tap(flow.comment.phrases[0])
    finger.tap(flow.comment.phrases[1])
    finger.tap(flow.comment.phrases[0])  # a second tap adds nothing twice
    finger.tap(flow.comment.done_button)
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    assert flow.current() is Screen.THANKS
    [payload] = [
        json.loads(e.payload)
        for e in kiosk.store.pending_outbox(max_items=10, max_bytes=10**6)
        if e.kind == "rating"
    ]
    assert payload["comment"] == expected


def test_the_halls_own_phrases_come_from_its_configuration_file(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nhotline = "0871-12345"\n'
        '[[kiosk.phrases]]\nzh = "取号很方便"\nen = "Easy to get a ticket"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert [p.text("zh_CN") for p in config.phrases] == ["取号很方便"]
    assert config.hotline == "0871-12345"
    too_many = "".join('[[kiosk.phrases]]\nzh = "好"\nen = "Good"\n' for _ in range(9))
    path.write_text(too_many, encoding="utf-8")
    with pytest.raises(ConfigError, match="at most 8"):
        load_config(path)
