"""Alert notifications through real parts: an SMTP server (aiosmtpd) receives the mail, a
local HTTP receiver gets the robot bodies in WeCom's and DingTalk's shapes, a failing
channel is retried while ingest never waits, and a server killed mid-send delivers once
after its restart."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from server.cli import main as server_cli
from server.escalation import escalate_once
from server.models import Alert, NotificationOutbox
from server.notify import service as channels
from server.notify.channels import Outcome, send_message
from server.notify.delivery import deliver_once
from server.settings import Settings
from tests.server.conftest import Hall, login
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating
from tests.support.system import COUNTER, LiveServer, free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class Receiver:
    """A webhook endpoint: records each body; answers with `statuses` in turn (then 200);
    `hold` makes it keep the first request unanswered until released."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, Any]] = []
        self.acknowledged: list[Any] = []
        self.statuses: list[int] = []
        self.hold = threading.Event()
        self.holding = False
        self.first_arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.bodies.append((self.path, body))
                receiver.first_arrived.set()
                if receiver.holding and len(receiver.bodies) == 1:
                    receiver.hold.wait(30)
                    return  # the sender died meanwhile: nothing to answer to
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = b'{"errcode":0}' if status == 200 else b"{}"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                if status == 200:
                    receiver.acknowledged.append(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def _add(factory: sessionmaker[Session], url: str, role: str = "supervisor", **kw: Any) -> int:
    with factory.begin() as session:
        return channels.add_channel(
            session,
            url=url,
            role=role,
            hall_id=kw.get("hall_id", "h1"),
            label="",
            quiet=kw.get("quiet"),
            digest=kw.get("digest", False),
            now=datetime.now(UTC),
        ).id


def _low_score(client: TestClient, hall: Hall) -> None:
    body = envelope([rating(seq=1, scores=ALL_ONES)] + [rating(seq=i) for i in range(2, 7)])
    assert client.post("/api/v1/sync", json=body, headers=hall.auth).status_code == 200


def _outbox(factory: sessionmaker[Session]) -> list[NotificationOutbox]:
    with factory() as session:
        return list(session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id)))


def test_notify_test_delivers_a_mail_to_a_real_smtp_server(
    smtp: tuple[int, Inbox], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    port, inbox = smtp
    url = f"mailto://127.0.0.1:{port}?from=hallrate@example.org&to=boss@example.org"
    code = server_cli(["--database-url", f"sqlite:///{tmp_path}/x.db", "notify", "test", url])
    assert (code, capsys.readouterr().out.strip()) == (0, "delivered")
    assert inbox.arrived.wait(10)
    [mail] = inbox.messages
    assert mail["To"] == "boss@example.org"
    assert "测试消息" in str(make_header(decode_header(mail["Subject"])))


def test_notify_test_says_plainly_when_nothing_was_delivered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    code = server_cli(
        [
            "--database-url",
            f"sqlite:///{tmp_path}/x.db",
            "notify",
            "test",
            f"json://127.0.0.1:{port}/x",
        ]
    )
    assert code != 0
    assert "NOT delivered" in capsys.readouterr().err


def test_a_low_score_reaches_the_supervisors_robots_in_wecom_and_dingtalk_shapes(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    receiver: Receiver,
) -> None:
    base = f"127.0.0.1:{receiver.port}"
    _add(factory, f"wecomrelay://{base}/cgi-bin/webhook/send?key=ROBOTKEY")
    _add(factory, f"dingtalkrelay://{base}/robot/send?access_token=TOKEN")
    _add(factory, f"json://{base}/hall2", hall_id="h2")  # another hall's: not told
    _low_score(client, hall)
    # Ingest only queued the messages.
    assert receiver.bodies == []
    assert [r.state for r in _outbox(factory)] == ["pending", "pending"]

    assert deliver_once(factory, settings) == 2
    paths = sorted(path for path, _ in receiver.bodies)
    assert paths == ["/cgi-bin/webhook/send?key=ROBOTKEY", "/robot/send?access_token=TOKEN"]
    for _, body in receiver.bodies:
        assert body["msgtype"] == "text"
        assert "新预警" in body["text"]["content"]
        assert "Counter 1" in body["text"]["content"]
        # No citizen's words go out on a chat robot.
        assert "<script>" not in body["text"]["content"]
    assert [r.state for r in _outbox(factory)] == ["sent", "sent"]
    assert deliver_once(factory, settings) == 0


def test_a_failing_channel_is_retried_with_backoff_and_the_alert_never_waits(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    receiver: Receiver,
) -> None:
    receiver.statuses = [503, 502]
    _add(factory, f"json://127.0.0.1:{receiver.port}/hook")
    _low_score(client, hall)
    auth = {"Authorization": "Bearer " + _token(client, "super1")}
    [alert] = client.get("/api/v1/alerts", headers=auth).json()
    # The supervisor works the alert while its notification has not gone anywhere.
    acted = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "已受理"}, headers=auth
    )
    assert acted.status_code == 200

    now = datetime.now(UTC)
    assert deliver_once(factory, settings, now) == 0
    [row] = _outbox(factory)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == now + timedelta(seconds=settings.notify_backoff_s)
    assert row.last_error
    assert deliver_once(factory, settings, now + timedelta(seconds=1)) == 0  # not yet due
    assert deliver_once(factory, settings, row.next_attempt_at) == 0
    [row] = _outbox(factory)
    assert row.attempts == 2
    assert row.next_attempt_at - now > timedelta(seconds=2 * settings.notify_backoff_s)
    assert deliver_once(factory, settings, row.next_attempt_at) == 1
    [row] = _outbox(factory)
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(receiver.acknowledged) == 1


def test_quiet_hours_hold_a_message_until_they_end(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    receiver: Receiver,
) -> None:
    _add(factory, f"json://127.0.0.1:{receiver.port}/hook", quiet="22:00-07:30")
    _low_score(client, hall)
    night = datetime(2025, 11, 14, 23, 0, tzinfo=UTC) + timedelta(hours=-8)  # 23:00 Shanghai
    with factory.begin() as session:
        for row in session.scalars(select(NotificationOutbox)):
            row.next_attempt_at = night
    assert deliver_once(factory, settings, night) == 0
    [row] = _outbox(factory)
    assert row.next_attempt_at == datetime(2025, 11, 14, 23, 30, tzinfo=UTC)  # 07:30 local
    assert receiver.bodies == []
    assert deliver_once(factory, settings, row.next_attempt_at) == 1


def _token(client: TestClient, username: str) -> str:
    from tests.server.conftest import PASSWORD

    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return str(answer.json()["token"])


def _wait(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)  # polling another process's database: there is no signal


@pytest.mark.slow
def test_a_server_killed_mid_send_delivers_the_notification_once_after_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server")
    server.env.update(HALLRATE_NOTIFY_INTERVAL_S="0.2", HALLRATE_NOTIFY_LEASE_S="1")
    server.cli("notify", "add", f"json://127.0.0.1:{receiver.port}/hook", "--role", "supervisor")
    receiver.holding = True
    server.start()
    try:
        enrolled = requests.post(
            f"{server.url}/api/v1/enroll",
            json={"code": server.enroll_code(), "app_version": "1.0"},
            timeout=10,
        ).json()
        body = envelope(
            [rating(COUNTER, 1, scores=ALL_ONES)] + [rating(COUNTER, i) for i in range(2, 7)]
        )
        answer = requests.post(
            f"{server.url}/api/v1/sync",
            json=body,
            headers={"Authorization": f"Bearer {enrolled['token']}"},
            timeout=10,
        )
        assert answer.status_code == 200
        assert receiver.first_arrived.wait(30)
        server.kill()  # mid-send: the receiver holds the request unanswered
        receiver.hold.set()
        assert receiver.acknowledged == []
        server.start()
        engine = create_engine(server.db_url)
        try:
            factory = sessionmaker(engine)
            _wait(lambda: [r.state for r in _outbox(factory)] == ["sent"])
            # A further lease and several passes later, nothing more went out.
            time.sleep(2)  # waiting for something not to happen: no condition to await
            [row] = _outbox(factory)
            assert row.attempts == 2
            assert len(receiver.acknowledged) == 1
            assert len(receiver.bodies) == 2  # the one cut off, the one acknowledged
        finally:
            engine.dispose()
    finally:
        with contextlib.suppress(Exception):
            server.stop()


def test_nearing_overdue_and_escalated_go_to_each_level_of_the_chain(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    receiver: Receiver,
) -> None:
    for role in ("supervisor", "manager", "inspector"):
        _add(factory, f"json://127.0.0.1:{receiver.port}/{role}", role=role)
    _low_score(client, hall)
    with factory() as session:
        alert = session.scalars(select(Alert)).one()
    # Two hours before the deadline the supervisors are warned, once.
    soon = alert.due_at - timedelta(hours=1)
    escalate_once(factory, soon)
    escalate_once(factory, soon + timedelta(minutes=1))
    # Past it: the supervisors hear it is overdue, the manager that it is theirs.
    escalate_once(factory, alert.due_at + timedelta(minutes=1))
    assert deliver_once(factory, settings, alert.due_at + timedelta(minutes=2)) == 4
    told = sorted((path, body["title"].split("】")[0]) for path, body in receiver.bodies)
    assert told == [
        ("/manager", "【已升级"),
        ("/supervisor", "【即将超时"),
        ("/supervisor", "【已超时"),
        ("/supervisor", "【新预警"),
    ]
    [escalated] = [body for path, body in receiver.bodies if path == "/manager"]
    assert "manager" in escalated["message"]


def test_a_digest_channel_gets_one_message_a_day(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    receiver: Receiver,
) -> None:
    _add(factory, f"json://127.0.0.1:{receiver.port}/digest", digest=True)
    _low_score(client, hall)
    body = envelope([rating(seq=10, scores=ALL_ONES)] + [rating(seq=i) for i in range(11, 16)])
    client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert [r.state for r in _outbox(factory)] == ["held", "held"]
    created = _outbox(factory)[0].created_at
    local = created.astimezone(ZoneInfo("Asia/Shanghai"))
    next_digest = datetime.combine(
        local.date() + timedelta(days=1), dt_time(settings.notify_digest_hour), tzinfo=local.tzinfo
    )
    assert deliver_once(factory, settings, next_digest - timedelta(minutes=1)) == 0
    assert deliver_once(factory, settings, next_digest) == 1
    assert deliver_once(factory, settings, next_digest + timedelta(hours=1)) == 0
    [(path, digest)] = receiver.bodies
    assert path == "/digest"
    assert digest["message"].count("新预警") == 2


def test_feishu_relay_and_sms_gateway_get_their_own_body_shapes(
    tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path}/x.db"]
    assert server_cli([*db, "notify", "test", f"feishurelay://127.0.0.1:{receiver.port}/f"]) == 0
    [(_, feishu)] = receiver.bodies
    assert feishu["msg_type"] == "text"
    assert "测试消息" in feishu["content"]["text"]

    sms = Settings(
        environment="test",
        secret_key="notify-test-secret-0123456789-abcdefgh",
        sms_driver="http",
        sms_http_url=f"http://127.0.0.1:{receiver.port}/sms",
    )
    outcome = send_message("sms://13800000000,13900000000", "标题", "正文", sms)
    assert outcome.delivered
    path, body = receiver.bodies[-1]
    assert (path, body["to"]) == ("/sms", ["13800000000", "13900000000"])
    receiver.statuses = [500]
    assert send_message("sms://13800000000", "t", "b", sms) == Outcome(
        False, "SMS gateway answered 500"
    )
    # The logging driver sends nothing and says so in the log, without the number.
    assert send_message("sms://13800000000", "t", "b", Settings()).delivered


def test_administrators_manage_channels_and_everyone_sees_delivery_state(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    admin = login(client, "admin")
    url = f"wecomrelay://127.0.0.1:{receiver.port}/cgi-bin/webhook/send?key=SECRETKEY"
    added = client.post(
        "/api/v1/notifications/channels",
        json={"url": url, "role": "supervisor", "hall_id": "h1", "quiet": "22:00-07:00"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert "SECRETKEY" not in added.text
    bad = client.post(
        "/api/v1/notifications/channels",
        json={"url": "nonsense://x", "role": "supervisor"},
        headers=admin,
    )
    assert bad.status_code == 422
    assert "apprise" in bad.json()["error"]["message"]
    supervisor = login(client, "super1")
    assert (
        client.post(
            "/api/v1/notifications/channels",
            json={"url": url, "role": "supervisor"},
            headers=supervisor,
        ).status_code
        == 403
    )
    _low_score(client, hall)
    [row] = client.get("/api/v1/notifications/outbox", headers=supervisor).json()
    assert (row["event"], row["state"], row["attempts"]) == ("raised", "pending", 0)
    assert client.get("/api/v1/notifications/outbox", headers=login(client, "super2")).json() == []
    gone = client.delete(f"/api/v1/notifications/channels/{added.json()['id']}", headers=admin)
    assert gone.status_code == 204
    assert client.get("/api/v1/notifications/channels", headers=admin).json() == []


def test_a_halls_alert_profile_is_read_and_replaced_through_the_api(
    client: TestClient, hall: Hall
) -> None:
    admin = login(client, "admin")
    profile = client.get("/api/v1/alert-profiles/h1", headers=admin).json()
    assert [s["stage"] for s in profile["stages"]] == [
        "acknowledge",
        "call_back",
        "rectify",
        "close",
    ]
    profile["closures"] = ["2026-12-24"]
    profile["stages"][0]["within"] = {"amount": "4", "unit": "hours"}
    put = client.put("/api/v1/alert-profiles/h1", json=profile, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["closures"] == ["2026-12-24"]
    profile["stages"][0]["within"] = {"amount": "4", "unit": "fortnights"}
    refused = client.put("/api/v1/alert-profiles/h1", json=profile, headers=admin)
    assert refused.status_code == 422
    assert (
        "fortnights" in refused.json()["error"]["message"]
        or "unit" in refused.json()["error"]["message"]
    )
    other = login(client, "super2")
    assert client.get("/api/v1/alert-profiles/h1", headers=other).status_code == 404
    _low_score(client, hall)
    [alert] = client.get("/api/v1/alerts", headers=admin).json()
    learned = datetime.fromisoformat(alert["learned_at"])
    assert datetime.fromisoformat(alert["due_at"]) == learned + timedelta(hours=4)


def test_notify_add_list_remove_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path}/x.db"]
    assert server_cli([*db, "init"]) == 0
    assert server_cli([*db, "hall", "add", "h1", "--name", "大厅"]) == 0
    relay = "wecomrelay://relay.intra:8080/cgi-bin/webhook/send?key=ROBOTKEY"
    add = [*db, "notify", "add", relay, "--role", "supervisor", "--hall", "h1"]
    assert server_cli([*add, "--quiet", "22:00-07:30"]) == 0
    assert server_cli([*db, "notify", "add", "sms://13800000000", "--role", "manager"]) == 0
    capsys.readouterr()
    assert server_cli([*db, "notify", "list"]) == 0
    listed = capsys.readouterr().out
    assert "wecomrelay://relay.intra:8080/…" in listed
    assert "quiet 22:00-07:30" in listed
    assert "ROBOTKEY" not in listed
    assert server_cli([*db, "notify", "add", "nonsense://x", "--role", "manager"]) != 0
    assert "apprise" in capsys.readouterr().err
    assert server_cli([*db, "notify", "add", relay, "--role", "manager", "--quiet", "7-8"]) != 0
    assert server_cli([*db, "notify", "remove", "1"]) == 0
    assert server_cli([*db, "notify", "remove", "1"]) != 0
    capsys.readouterr()
    server_cli([*db, "notify", "list"])
    assert "wecomrelay" not in capsys.readouterr().out
