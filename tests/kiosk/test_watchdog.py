"""The systemd watchdog: READY once, pings from the event loop, silence when the loop hangs.

A real unix datagram socket stands in for systemd's notification socket.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.watchdog import SystemdNotifier, Watchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(5)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on `sock` now, without waiting for more."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        return out
    finally:
        sock.settimeout(5)


def test_ready_then_pings_at_half_the_watchdog_interval(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, path = notify_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    assert notifier.watchdog_s == pytest.approx(0.2)
    watchdog = Watchdog(notifier)
    watchdog.ready()
    assert sock.recv(4096).decode().splitlines()[0] == "READY=1"
    pings: list[str] = []

    def three_pings() -> bool:
        pings.extend(received(sock))
        return len(pings) >= 3

    started = time.monotonic()
    qtbot.waitUntil(three_pings, timeout=3000)
    assert pings[:3] == ["WATCHDOG=1"] * 3
    # three pings at 0.1 s intervals take at least 0.3 s: the timer does not race
    assert time.monotonic() - started >= 0.25
    watchdog.stopping()
    assert "STOPPING=1" in received(sock)


def test_a_hung_event_loop_sends_no_pings_and_recovers(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, path = notify_socket
    watchdog = Watchdog(SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000"}))
    watchdog.ready()
    qtbot.waitUntil(lambda: "WATCHDOG=1" in received(sock), timeout=3000)
    received(sock)
    time.sleep(0.5)  # the GUI thread hangs for ten ping intervals
    assert received(sock) == [], "a hung event loop must not ping"
    qtbot.waitUntil(lambda: "WATCHDOG=1" in received(sock), timeout=3000)
    watchdog.stopping()


def test_abstract_socket_names_are_understood(qtbot: QtBot) -> None:
    name = f"hallrate-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "@" + name})
        assert notifier.notify("READY=1")
        assert sock.recv(4096) == b"READY=1"
        notifier.close()


@pytest.mark.parametrize(
    ("env", "enabled", "interval"),
    [
        ({}, False, None),
        ({"NOTIFY_SOCKET": "/run/x"}, True, None),
        ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}, True, 30.0),
        (
            {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"},
            True,
            None,
        ),  # systemd meant another process
        (
            {
                "NOTIFY_SOCKET": "/run/x",
                "WATCHDOG_USEC": "30000000",
                "WATCHDOG_PID": str(os.getppid()),
            },
            True,
            30.0,
        ),  # our parent: the cage session
        ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "soon"}, True, None),
    ],
)
def test_what_the_environment_asks_for(
    env: dict[str, str], enabled: bool, interval: float | None
) -> None:
    notifier = SystemdNotifier(env)
    assert notifier.enabled is enabled
    assert notifier.watchdog_s == interval


def test_without_systemd_nothing_is_sent_and_nothing_fails(qtbot: QtBot) -> None:
    watchdog = Watchdog(SystemdNotifier({}))
    watchdog.ready()
    watchdog.stopping()
    assert not watchdog.notifier.notify("WATCHDOG=1")


def test_a_vanished_socket_is_reported_once_and_stops_notifying(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert not notifier.notify("READY=1")
    assert not notifier.notify("WATCHDOG=1")
    assert len([r for r in caplog.records if "sd_notify" in r.message]) == 1
