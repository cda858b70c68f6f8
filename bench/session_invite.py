"""From the queue system's finish request to the rating invitation painted on the kiosk.

The real kiosk (offscreen, 1920x1080 unless given WIDTHxHEIGHT) runs its local queue API
on loopback; for each service a client thread starts a session, then times from just
before it sends `POST /api/v1/sessions/{id}/finish` until the invitation screen's first
paint (an event filter on the screen), through the HTTP thread, the durable store write,
the queued signal to the GUI thread and the screen switch. Median, p99 and max.
The first WARM_UP services are not timed.
Args: [services] [WIDTHxHEIGHT] (defaults 300, 1920x1080).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtTest import QTest

from kiosk.app import open_kiosk
from kiosk.config import KioskConfig
from kiosk.ui.application import make_application
from kiosk.ui.flow import Screen
from kiosk.ui.speech import SilentSpeaker
from tests.support.pgcluster import free_port

KEY = "bench-queue-key-0123456789"
#: Services served first and not timed: the first showing of a screen builds its layout.
WARM_UP = 5
TARGET_P99_MS = 100.0


class FirstPaint(QObject):
    """Notes the time of the watched screen's first paint after `arm()`."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: QEventLoop | None = None
        self.painted_at: float | None = None

    def arm(self, loop: QEventLoop) -> None:
        self.loop = loop
        self.painted_at = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None and self.loop:
            self.painted_at = time.perf_counter()
            self.loop.quit()
        return False


def run(argv: list[str]) -> dict[str, object]:
    services = int(argv[0]) if argv else 300
    width, height = (int(n) for n in (argv[1] if len(argv) > 1 else "1920x1080").split("x"))
    app = make_application([])
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {KEY}"}
    samples: list[float] = []
    missed = 0
    with tempfile.TemporaryDirectory(prefix="hallrate-bench-") as data:
        kiosk = open_kiosk(
            KioskConfig(
                speech=False,
                idle_s=3600,
                invite_s=3600,
                queue_api_listen=f"127.0.0.1:{port}",
                queue_api_key=KEY,
            ),
            Path(data),
            kiosk_mode=False,
            speaker=SilentSpeaker(),
        )
        kiosk.window.resize(width, height)
        kiosk.window.show()
        QTest.qWaitForWindowExposed(kiosk.window)
        watcher = FirstPaint()
        kiosk.flow.invite.installEventFilter(watcher)
        http = requests.Session()
        for n in range(-WARM_UP, services):
            kiosk.flow.go_welcome()
            QTest.qWait(5)
            started = http.post(
                f"{base}/sessions", json={"ticket": f"A{n % 1000:03d}"}, headers=headers
            )
            sid = started.json()["session"]["id"]
            loop = QEventLoop()
            watcher.arm(loop)
            sent: list[float] = []

            def finish(session_id: str = sid, stamp: list[float] = sent) -> None:
                stamp.append(time.perf_counter())
                http.post(
                    f"{base}/sessions/{session_id}/finish",
                    json={"outcome": "one_visit"},
                    headers=headers,
                )

            worker = threading.Thread(target=finish)
            QTimer.singleShot(5000, loop.quit)
            worker.start()
            loop.exec()
            worker.join(10)
            if n < 0:
                continue
            if watcher.painted_at is None or kiosk.flow.current() is not Screen.INVITE:
                missed += 1
                continue
            samples.append((watcher.painted_at - sent[0]) * 1000)
        kiosk.close()
    del app
    samples.sort()
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    return {
        "services": services,
        "size": f"{width}x{height}",
        "finish_to_invitation_median_ms": round(statistics.median(samples), 2),
        "finish_to_invitation_p99_ms": round(p99, 2),
        "finish_to_invitation_max_ms": round(samples[-1], 2),
        "missed": missed,
        "target_p99_ms": TARGET_P99_MS,
        "ok": p99 < TARGET_P99_MS and missed == 0,
    }
