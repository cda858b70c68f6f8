"""Cold start of the kiosk to its interactive welcome screen, beside a bare PySide6 window.

Each start is a fresh process, timed from launch until it prints "ready" from its first
event-loop turn after the window is shown (so the first paint is done and taps would be
handled). The kiosk runs in kiosk mode on a store in a new temporary folder (first run:
the store is created and migrated) and, separately, on an existing store (a normal
start). The bare window is a QApplication and a shown QWidget, started the same way.
Args: [runs] (default 5). Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
window = QWidget()
window.resize(1920, 1080)
window.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), os._exit(0)))
app.exec()
"""

KIOSK = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from kiosk.app import open_kiosk
from kiosk.ui.application import make_application
from kiosk.config import KioskConfig
app = make_application([])
kiosk = open_kiosk(KioskConfig(), Path(sys.argv[1]), kiosk_mode=True)
kiosk.window.resize(1920, 1080)
kiosk.window.present()
assert kiosk.flow.welcome.isVisible()
QTimer.singleShot(0, lambda: (print("ready", flush=True), os._exit(0)))
app.exec()
"""


def _start(code: str, *args: str) -> float:
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = time.perf_counter() - started
        child.wait(timeout=30)
    if line.strip() != "ready":
        raise RuntimeError(f"child did not get ready: {line!r}")
    return elapsed


def run(argv: list[str]) -> dict[str, object]:
    runs = int(argv[0]) if argv else 5
    _start(BARE)  # warm the OS file cache once for both, so neither pays it alone
    bare = [_start(BARE) for _ in range(runs)]
    first: list[float] = []
    normal: list[float] = []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="hallrate-bench-"))
        try:
            first.append(_start(KIOSK, str(folder)))
            normal.append(_start(KIOSK, str(folder)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    bare_s = statistics.median(bare)
    normal_s = statistics.median(normal)
    first_s = statistics.median(first)
    return {
        "runs": runs,
        "bare_window_s": round(bare_s, 3),
        "kiosk_welcome_s": round(normal_s, 3),
        "kiosk_welcome_first_run_s": round(first_s, 3),
        "ratio_vs_bare": round(normal_s / bare_s, 2),
        "ratio_first_run_vs_bare": round(first_s / bare_s, 2),
        "target_s": 2.0,
        "ok": max(normal_s, first_s) < 2.0,
    }
