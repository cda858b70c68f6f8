"""`make demo` without a display: the server on its embedded SQLite with the demo hall, a
simulated queue system calling citizens to a simulated kiosk through its real queue API,
each service rated through the real sync path, the addresses a newcomer opens — and
Ctrl+C leaving no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from demo.run import lan_address

ROOT = Path(__file__).resolve().parents[2]


def _session_members(sid: int) -> list[int]:
    """Processes still alive in session `sid` (what a terminal's Ctrl+C reaches)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state, ppid, pgrp, session
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def _read_until(process: subprocess.Popen[str], pattern: str, timeout_s: float) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(lines))


@pytest.mark.slow
@pytest.mark.parametrize("lan", [False, True], ids=["loopback", "lan"])
def test_headless_demo_serves_keeps_rating_and_stops_cleanly(tmp_path: Path, lan: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HALLRATE_DEMO_DIR=str(tmp_path / "demo"), PYTHONUNBUFFERED="1")
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "demo",
            "--port",
            "0",
            "--every",
            "0.5",
            *(["--lan"] if lan else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as demo:
        _drive(demo, lan_address() if lan else "127.0.0.1")
    deadline = time.monotonic() + 10
    while _session_members(demo.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_members(demo.pid) == []


def _drive(demo: subprocess.Popen[str], host: str) -> None:
    try:
        lines = _read_until(demo, r"Ctrl\+C stops everything", 120)
        text = "\n".join(lines)
        assert "no display" in lines[0]
        addresses = dict(re.findall(r"^  (\w[\w ]*?)\s+(http://\S+)", text, re.MULTILINE))
        assert set(addresses) >= {"console", "API docs", "health", "phone rating", "receipt page"}
        # With --lan every address (the QR codes' too) is the machine's LAN address.
        assert {urlsplit(url).hostname for url in addresses.values()} == {host}
        assert "password 'demo-password'" in text
        assert requests.get(addresses["health"], timeout=5).status_code == 200
        # The printed pages work as printed.
        receipt = requests.get(addresses["receipt page"], timeout=5)
        assert receipt.status_code == 200
        assert requests.get(addresses["phone rating"], timeout=5).status_code == 200
        # Ratings keep arriving, each delivered (HTTP 200) by the real sync client.
        more = _read_until(demo, r"simulated kiosk c02: rating 4 ", 60)
        delivered = [line for line in lines + more if "simulated kiosk c02: rating" in line]
        assert len(delivered) >= 4
        assert all("-> 200;" in line for line in delivered)
        # Each rating belongs to a service the simulated queue system called and ended.
        assert all(re.search(r"\(ticket [ABC]\d{3}, \w+\)$", line) for line in delivered)
        assert any(line.startswith("simulated queue: ticket") for line in lines + more)
    finally:
        # What a terminal's Ctrl+C does: SIGINT to the whole foreground group.
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=60)
