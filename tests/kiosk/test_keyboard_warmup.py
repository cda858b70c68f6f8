"""The virtual keyboard is loaded while the welcome screen waits, invisibly.

Qt picks its input method when the QApplication is made, so this runs a kiosk in a child
process with QT_IM_MODULE=qtvirtualkeyboard, as `hallrate-kiosk` runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, os, sys
from pathlib import Path
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from kiosk.app import open_kiosk
from kiosk.ui.application import make_application
from kiosk.config import KioskConfig
from kiosk.ui.keyboard_warmup import warm_up_keyboard

def keyboard_windows():
    return sum(w.metaObject().className() == "QtVirtualKeyboard::InputView"
               for w in QGuiApplication.topLevelWindows())

app = make_application([])
kiosk = open_kiosk(KioskConfig(speech=False), Path(sys.argv[1]), kiosk_mode=False)
kiosk.window.resize(800, 480)
kiosk.window.present()
kiosk.window.activateWindow()
QTest.qWaitForWindowActive(kiosk.window)
focus_before = kiosk.window.focusWidget()
before = kiosk.window.grab().toImage()
result = {"keyboards_before": keyboard_windows()}
result["warmed"] = warm_up_keyboard(kiosk.window)
QTest.qWait(1500)
result["keyboards_after"] = keyboard_windows()
result["screen"] = kiosk.flow.current().value
result["focus_kept"] = kiosk.window.focusWidget() is focus_before
result["pixels_unchanged"] = kiosk.window.grab().toImage() == before
result["panel_visible"] = QGuiApplication.inputMethod().isVisible()
kiosk.close()
print(json.dumps(result), flush=True)
os._exit(0)
"""


def test_the_keyboard_loads_at_the_welcome_screen_without_showing_or_taking_focus(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "QT_IM_MODULE": "qtvirtualkeyboard", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "keyboards_before": 0,
        "warmed": True,
        "keyboards_after": 1,
        "screen": "welcome",
        "focus_kept": True,
        "pixels_unchanged": True,
        "panel_visible": False,
    }
