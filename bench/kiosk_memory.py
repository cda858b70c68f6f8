"""Resident memory of the kiosk over a `--simulate` soak: at launch, at start (the welcome
screen idle with the virtual keyboard loaded, as a citizen first finds it), after the first
50 ratings (fonts and caches warm) and after all of them.

Runs the same simulation `hallrate-kiosk --simulate N` runs (real widgets, taps, a real
store in a temporary folder) in a child process, sampling VmRSS from /proc.
Args: [ratings] (default 1000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

CHILD = """
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from kiosk.app import KEYBOARD_WARMUP_MS, open_kiosk, schedule_keyboard_warmup
from kiosk.ui.application import make_application
from kiosk.config import KioskConfig
from kiosk.ui.simulate import SimulatedClock, Simulator

def rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

count = int(sys.argv[2])
app = make_application([])
clock = SimulatedClock()
kiosk = open_kiosk(KioskConfig(), Path(sys.argv[1]), kiosk_mode=False, clock=clock)
kiosk.window.resize(1280, 800)
kiosk.window.show()
samples = {"launch": rss_mib()}
schedule_keyboard_warmup(kiosk)  # as `run` does
simulator = Simulator(kiosk.flow, count, clock)
def progressed(done):
    if done == 50:
        samples["after_50"] = rss_mib()
simulator.progressed.connect(progressed)
def finished(stored):
    samples["end"] = rss_mib()
    samples["stored"] = stored
    kiosk.window.allow_close()
    app.quit()
simulator.finished.connect(finished)
def begin():
    # The kiosk as the first citizen finds it: started, keyboard loaded, welcome idle.
    samples["start"] = rss_mib()
    simulator.start()
QTimer.singleShot(KEYBOARD_WARMUP_MS + 1000, begin)
app.exec()
ratings = kiosk.store.status().ratings
kiosk.close()
samples["ratings_in_store"] = ratings
print(json.dumps(samples), flush=True)
os._exit(0)
"""


def run(argv: list[str]) -> dict[str, object]:
    count = int(argv[0]) if argv else 1000
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="hallrate-bench-") as data:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, data, str(count)],
            capture_output=True,
            text=True,
            env=env,
            timeout=1800,
            check=True,
        )
    samples = json.loads(result.stdout.strip().splitlines()[-1])
    end = samples["end"]
    growth_all = end - samples["start"]
    growth_warm = end - samples.get("after_50", samples["start"])
    return {
        "ratings": count,
        "ratings_stored": samples["ratings_in_store"],
        "rss_launch_mib": round(samples["launch"], 1),
        "rss_start_mib": round(samples["start"], 1),
        "rss_after_50_mib": round(samples.get("after_50", float("nan")), 1),
        "rss_end_mib": round(end, 1),
        "growth_over_run_mib": round(growth_all, 1),
        "growth_after_warmup_mib": round(growth_warm, 1),
        "target_rss_mib": 150,
        "target_growth_mib": 10,
        "ok": end < 150 and growth_all < 10 and samples["ratings_in_store"] == count,
    }
