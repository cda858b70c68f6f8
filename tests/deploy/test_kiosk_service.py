"""The kiosk under systemd: the unit files are valid, and the real kiosk process tells a
notification socket it is ready, pings it, and stops pinging while it hangs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

VerifyUnits = Callable[[list[Path], dict[str, str]], str]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("unit", ["hallrate-kiosk.service", "hallrate-kiosk-cage.service"])
def test_kiosk_units_pass_systemd_analyze_verify(unit: str, verify_units: VerifyUnits) -> None:
    text = (DEPLOY / "kiosk" / unit).read_text(encoding="utf-8")
    for directive in ("Type=notify", "WatchdogSec=", "Restart=always", "StartLimitIntervalSec=0"):
        assert directive in text, f"{unit} lacks {directive}"
    complaints = verify_units(
        [DEPLOY / "kiosk" / unit],
        {"/opt/hallrate-kiosk/hallrate-kiosk": "hallrate-kiosk", "/usr/bin/cage": "cage"},
    )
    assert complaints == ""


def test_journald_limits_are_journald_settings(tmp_path: Path) -> None:
    conf = (DEPLOY / "kiosk" / "journald-hallrate.conf").read_text(encoding="utf-8")
    keys = {line.split("=")[0] for line in conf.splitlines() if "=" in line and line[0] != "#"}
    assert keys <= {
        "Storage",
        "SystemMaxUse",
        "SystemKeepFree",
        "MaxRetentionSec",
        "MaxFileSec",
        "Compress",
    }
    assert "SystemMaxUse" in keys


def test_the_example_configuration_loads() -> None:
    from kiosk.config import load_config

    config = load_config(DEPLOY / "kiosk" / "kiosk.toml.example")
    assert config.counter_id == "c01"
    assert config.language == "zh_CN"


@pytest.mark.slow
def test_kiosk_process_notifies_ready_pings_and_goes_silent_when_hung(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(60)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "WATCHDOG_USEC": "400000",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--windowed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert sock.recv(4096).decode().splitlines()[0] == "READY=1"
        # the store went where XDG_DATA_HOME says, as the unit files rely on
        assert (tmp_path / "data" / "hallrate-kiosk" / "kiosk.sqlite").exists()
        sock.settimeout(5)
        assert [sock.recv(4096) for _ in range(3)] == [b"WATCHDOG=1"] * 3

        kiosk.send_signal(signal.SIGSTOP)  # what a hung event loop looks like from outside
        time.sleep(0.3)  # let a ping that was already on its way arrive
        sock.setblocking(False)
        while True:
            try:
                sock.recv(4096)
            except BlockingIOError:
                break
        time.sleep(1.2)  # three watchdog intervals
        with pytest.raises(BlockingIOError):
            sock.recv(4096)
        kiosk.send_signal(signal.SIGCONT)
        sock.settimeout(5)
        assert sock.recv(4096) == b"WATCHDOG=1"
    finally:
        kiosk.kill()
        kiosk.wait(timeout=30)
        sock.close()
