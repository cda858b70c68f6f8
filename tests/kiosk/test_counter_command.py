"""`hallrate-counter` against a real kiosk queue API on loopback: the 请评价 command starts
and finishes a session when none is under way, start/finish/cancel, sign-in, clear
messages when the kiosk is wrong or away; the tray's actions do the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from kiosk.counter import main
from kiosk.counterclient import CounterClient
from kiosk.desk import DeskEvent, ServiceDesk
from kiosk.queueapi import QueueApi
from kiosk.store import Store
from kiosk.ui.counter_tray import CounterTray
from tests.kiosk.test_queue_api import CONFIG, KEY
from tests.support.pgcluster import free_port


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ServiceDesk]:
    store = Store.open(tmp_path / "kiosk.sqlite")
    yield ServiceDesk(store, lambda: CONFIG)
    store.close()


@pytest.fixture
def kiosk_url(desk: ServiceDesk) -> Iterator[str]:
    api = QueueApi(desk, "127.0.0.1", 0, KEY)
    api.start()
    host, port = api.address
    yield f"http://{host}:{port}"
    api.stop()


def counter(url: str, *args: str) -> int:
    return main(["--kiosk", url, "--key", KEY, *args])


def test_please_rate_without_a_started_session_starts_and_finishes_one(
    kiosk_url: str, desk: ServiceDesk, capsys: pytest.CaptureFixture[str]
) -> None:
    events: list[DeskEvent] = []
    desk.subscribe(events.append)
    assert counter(kiosk_url, "rate", "--ticket", "A017") == 0
    assert "the kiosk invites a rating" in capsys.readouterr().out
    assert [e.kind for e in events] == ["started", "finished"]
    waiting = desk.awaiting_rating()
    assert waiting is not None
    assert (waiting.ticket, waiting.outcome) == ("A017", "one_visit")


def test_start_then_please_rate_finishes_the_same_session_with_its_outcome(
    kiosk_url: str, desk: ServiceDesk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert counter(kiosk_url, "start", "--ticket", "B002") == 0
    started = desk.current()
    assert started is not None
    assert counter(kiosk_url, "rate", "--outcome", "another_visit") == 0
    ended, _ = desk.session(started.id)
    assert (ended.outcome, ended.finished_in_one_visit) == ("another_visit", False)


def test_sign_out_closes_the_counter_and_start_then_says_so(
    kiosk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert counter(kiosk_url, "sign-out") == 0
    assert counter(kiosk_url, "start") == 1
    assert "nobody is signed in at this counter [counter_closed]" in capsys.readouterr().err
    assert counter(kiosk_url, "sign-in", "001") == 0
    assert "signed in" in capsys.readouterr().out


def test_a_wrong_key_or_an_absent_kiosk_is_told_in_one_line(
    kiosk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--kiosk", kiosk_url, "--key", "x" * 20, "status"]) == 1
    assert "[unauthorized]" in capsys.readouterr().err
    assert main(["--kiosk", f"http://127.0.0.1:{free_port()}", "--key", KEY, "status"]) == 1
    assert "does not answer" in capsys.readouterr().err
    assert main(["status"]) == 2
    assert "HALLRATE_COUNTER_KIOSK" in capsys.readouterr().err


def test_the_tray_actions_drive_the_kiosk(
    qapp: QApplication, kiosk_url: str, desk: ServiceDesk
) -> None:
    tray = QSystemTrayIcon(QIcon())
    menu = CounterTray(CounterClient(kiosk_url, KEY), tray)
    labels = [a.text() for a in menu.menu.actions() if a.text()]
    assert labels[:2] == ["开始服务 Start service", "请评价 · 办结 Please rate (done)"]
    menu.menu.actions()[1].trigger()
    assert menu.last_message.endswith("OK")
    assert desk.awaiting_rating() is not None
    menu.menu.actions()[4].trigger()  # cancel, with nothing under way
    assert "no session is open" in menu.last_message
