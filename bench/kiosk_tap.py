"""A tap on a star to its repaint, in process: median and p99 over many taps.

Each tap is a mouse press sent to the real star widget of the rate screen at its size
(1920x1080 unless given WIDTHxHEIGHT), timed from just before the event is delivered until
the event loop has nothing left to paint (the star, the level word, reason chips appearing
or going). A paint counter checks that each tap really repainted the row.
Args: [taps] [WIDTHxHEIGHT] (defaults 500, 1920x1080).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest

from kiosk.app import open_kiosk
from kiosk.config import KioskConfig
from kiosk.ui.application import make_application
from kiosk.ui.speech import SilentSpeaker
from sync.scoring import DIMENSION_CODES


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def run(argv: list[str]) -> dict[str, object]:
    taps = int(argv[0]) if argv else 500
    width, height = (int(n) for n in (argv[1] if len(argv) > 1 else "1920x1080").split("x"))
    app = make_application([])
    with tempfile.TemporaryDirectory(prefix="hallrate-bench-") as data:
        kiosk = open_kiosk(
            KioskConfig(speech=False, idle_s=3600),
            Path(data),
            kiosk_mode=False,
            speaker=SilentSpeaker(),
        )
        kiosk.window.resize(width, height)
        kiosk.window.show()
        QTest.qWaitForWindowExposed(kiosk.window)
        QTest.mouseClick(kiosk.flow.welcome.cta, Qt.MouseButton.LeftButton)
        QCoreApplication.processEvents()
        counter = PaintCounter()
        editors = [kiosk.flow.rate.stars[code] for code in DIMENSION_CODES]
        for editor in editors:
            editor.installEventFilter(counter)
        rng = random.Random(1)
        samples: list[float] = []
        unpainted = 0
        for _ in range(taps):
            editor = rng.choice(editors)
            stars = rng.choice([s for s in range(1, 6) if s != editor.stars()])
            pos: QPoint = editor.star_center(stars).toPoint()
            before = counter.paints
            started = time.perf_counter()
            QTest.mousePress(editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
            QCoreApplication.processEvents()
            samples.append((time.perf_counter() - started) * 1000)
            QTest.mouseRelease(
                editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
            )
            if counter.paints == before:
                unpainted += 1
        kiosk.close()
    del app
    samples.sort()
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    return {
        "taps": taps,
        "size": f"{width}x{height}",
        "tap_to_paint_median_ms": round(statistics.median(samples), 2),
        "tap_to_paint_p99_ms": round(p99, 2),
        "tap_to_paint_max_ms": round(samples[-1], 2),
        "taps_without_repaint": unpainted,
        "target_ms": 33,
        "ok": p99 <= 33 and unpainted == 0,
    }
