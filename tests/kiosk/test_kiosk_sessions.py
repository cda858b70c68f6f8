"""Service sessions on the real kiosk: the queue system's finish request brings up the
rating invitation, the rating carries the session; staff sign in and out on the kiosk,
the welcome screen shows who serves with their photo (a change clears the last one at
once), and with nobody signed in the counter shows as closed."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import requests
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.store import Store
from kiosk.ui.flow import Screen
from sync.client import SERVER_CONFIG
from sync.protocol import Outcome
from tests.kiosk.kiosk_drive import FakeClock, Finger, KioskFactory
from tests.support.pgcluster import free_port

KEY = "counter-key-0123456789abcdef"
SCORES = {"attitude": 5, "efficiency": 4, "process": 5, "environment": 4, "overall": 5}


def photo_bytes(colour: str) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = QImage(60, 80, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def prepare_store(data: Path, *, with_photo: bool = True) -> str:
    """The kiosk's store as a sync answer left it: the counter's staff (s-001 with a photo
    on disk), the matter catalog. The photo's hash."""
    data.mkdir(parents=True, exist_ok=True)
    photo = photo_bytes("#d04040")
    sha = hashlib.sha256(photo).hexdigest()
    if with_photo:
        (data / "photos").mkdir(exist_ok=True)
        (data / "photos" / f"{sha}.jpg").write_bytes(photo)
    store = Store.open(data / "kiosk.sqlite")
    store.set_setting(
        SERVER_CONFIG,
        {
            "staff": [
                {
                    "id": "s-001",
                    "name": "王芳",
                    "counter_id": "counter-01",
                    "photo_sha256": sha,
                    "photo_url": f"/api/v1/staff/s-001/photo?v={sha}",
                },
                {"id": "s-002", "name": "李强", "counter_id": "counter-01"},
            ],
            "matters": [{"code": "HJ01", "name": "户籍迁入", "standard_minutes": 15}],
        },
    )
    store.close()
    return sha


def api_call(port: int, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"http://127.0.0.1:{port}{path}",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=10,
    )


def stored_ratings(kiosk: Kiosk) -> list[tuple[str | None, str | None]]:
    with closing(sqlite3.connect(kiosk.store.path)) as conn:
        return list(conn.execute("SELECT session_id, staff_id FROM ratings"))


def test_finish_from_the_queue_system_invites_and_the_rating_carries_the_session(
    make_kiosk: KioskFactory, tmp_path: Path, finger: Finger, qtbot: QtBot, clock: FakeClock
) -> None:
    prepare_store(tmp_path / "data")
    port = free_port()
    kiosk = make_kiosk(queue_api_listen=f"127.0.0.1:{port}", queue_api_key=KEY)
    flow = kiosk.flow
    assert kiosk.desk is not None
    kiosk.desk.sign_in("001")
    started = api_call(port, "POST", "/api/v1/sessions", {"ticket": "A017", "matter_code": "HJ01"})
    assert started.status_code == 201, started.text
    sid = started.json()["session"]["id"]
    with qtbot.waitSignal(flow.invitationShown, timeout=5_000) as shown:
        finished = api_call(
            port, "POST", f"/api/v1/sessions/{sid}/finish", {"outcome": "one_visit"}
        )
    assert finished.status_code == 200
    assert shown.args == [sid]
    assert flow.current() is Screen.INVITE
    assert "王芳" in flow.invite.staff.text()
    assert "A017" in flow.invite.ticket.text()
    assert "户籍迁入" in flow.invite.ticket.text()
    assert flow.invite.photo.isVisible()

    finger.tap(flow.invite.rate_button)
    assert flow.current() is Screen.RATE
    finger.rate_all(kiosk, SCORES)
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    assert stored_ratings(kiosk) == [(sid, "s-001")]
    assert api_call(port, "GET", f"/api/v1/sessions/{sid}").json()["session"]["rated"] is True
    # Back on welcome, the rated session is not offered again.
    clock.advance(60)
    flow.go_welcome()
    assert flow.current() is Screen.WELCOME


def test_a_cancelled_session_brings_no_invitation(
    make_kiosk: KioskFactory, tmp_path: Path, qtbot: QtBot
) -> None:
    prepare_store(tmp_path / "data")
    kiosk = make_kiosk()
    assert kiosk.desk is not None
    with qtbot.assertNotEmitted(kiosk.flow.invitationShown, wait=300):
        session = kiosk.desk.start(ticket="B001")
        kiosk.desk.finish(session.id, Outcome.CANCELLED)
    assert kiosk.flow.current() is Screen.WELCOME


def test_staff_sign_in_and_out_on_the_kiosk_and_a_closed_counter_rates_for_no_one(
    make_kiosk: KioskFactory, tmp_path: Path, finger: Finger, qtbot: QtBot
) -> None:
    prepare_store(tmp_path / "data")
    kiosk = make_kiosk(cooldown_s=0.0)
    flow, welcome = kiosk.flow, kiosk.flow.welcome
    finger.tap(welcome.duty_button)
    assert flow.current() is Screen.SIGN_IN
    for digit in "002":
        finger.tap(flow.sign_in.pad.keys[digit])
    finger.tap(flow.sign_in.pad.keys["ok"])
    assert flow.current() is Screen.WELCOME
    assert "李强" in welcome.staff.text()

    finger.tap(welcome.duty_button)
    for digit in "777":
        finger.tap(flow.sign_in.pad.keys[digit])
    finger.tap(flow.sign_in.pad.keys["ok"])
    assert flow.current() is Screen.SIGN_IN
    assert "没有这个工号" in flow.sign_in.message.text()
    finger.tap(flow.sign_in.sign_out_button)
    assert flow.current() is Screen.WELCOME
    assert welcome.closed
    assert welcome.staff.text() == "本窗口暂停服务，请到其他窗口办理。"
    assert welcome.duty_button.text() == "工作人员签到"

    finger.tap(welcome.cta)
    finger.rate_all(kiosk, SCORES)
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    assert stored_ratings(kiosk) == [(None, None)]


def test_a_change_of_staff_replaces_the_photo_at_once(
    make_kiosk: KioskFactory, tmp_path: Path
) -> None:
    prepare_store(tmp_path / "data")
    kiosk = make_kiosk()
    welcome = kiosk.flow.welcome
    assert kiosk.desk is not None
    kiosk.desk.sign_in("s-001")
    kiosk.flow.refresh_duty()
    assert welcome.photo.isVisible()
    red = welcome.photo.pixmap().toImage().pixelColor(30, 40)
    assert red.red() > 150
    assert red.green() < 100
    # s-002 has no photo (yet): the first one's must not stay beside the new name.
    kiosk.desk.sign_in("s-002")
    kiosk.flow.refresh_duty()
    assert not welcome.photo.isVisible()
    assert welcome.photo.pixmap().isNull()
    assert "李强" in welcome.staff.text()


def test_after_a_restart_between_finish_and_rating_the_invitation_comes_back(
    make_kiosk: KioskFactory, tmp_path: Path, qtbot: QtBot
) -> None:
    prepare_store(tmp_path / "data")
    store = Store.open(tmp_path / "data" / "kiosk.sqlite")
    session = store.start_session(counter_id="counter-01", staff_id="s-001", ticket="C009")
    store.finish_session(session.id, Outcome.ONE_VISIT)
    store.close()  # the kiosk died before the citizen rated
    kiosk = make_kiosk()
    assert kiosk.flow.current() is Screen.INVITE
    assert "C009" in kiosk.flow.invite.ticket.text()


def test_the_invitation_speaks_its_prompt_when_speech_is_on(
    make_kiosk: KioskFactory, tmp_path: Path, qtbot: QtBot
) -> None:
    prepare_store(tmp_path / "data")
    kiosk = make_kiosk(speech=True)
    said: list[tuple[str, str]] = []

    class Recorder:
        def say(self, text: str, language: str) -> None:
            said.append((text, language))

    kiosk.flow._speaker = Recorder()
    assert kiosk.desk is not None
    session = kiosk.desk.start(ticket="A001")
    with qtbot.waitSignal(kiosk.flow.invitationShown):
        kiosk.desk.finish(session.id, Outcome.ONE_VISIT)
    assert said == [("您的业务已办理完毕，请对本次服务进行评价", "zh_CN")]
