"""The kiosk's local API for the queue system, over real HTTP on loopback: sessions
started, finished and cancelled durably; the key required; every error a JSON answer with
a stable code."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.config import KioskConfig, Staff
from kiosk.desk import DeskEvent, ServiceDesk
from kiosk.queueapi import QueueApi
from kiosk.store import Store
from sync.client import SERVER_CONFIG

KEY = "queue-key-0123456789abcdef"
FIVES = dict.fromkeys(("attitude", "efficiency", "process", "environment", "overall"), 5)
CONFIG = KioskConfig(counter_id="c01", staff=Staff(id="s-001", name="王芳", number="001"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "kiosk.sqlite")
    store.set_setting(
        SERVER_CONFIG,
        {
            "staff": [
                {"id": "s-001", "name": "王芳", "counter_id": "c01"},
                {"id": "s-002", "name": "李强", "counter_id": None},
                {"id": "s-009", "name": "赵六", "counter_id": "c09"},
            ],
            "matters": [{"code": "HJ01", "name": "户籍迁入", "standard_minutes": 15}],
        },
    )
    yield store
    store.close()


@pytest.fixture
def desk(store: Store) -> ServiceDesk:
    return ServiceDesk(store, lambda: CONFIG)


@pytest.fixture
def api(desk: ServiceDesk) -> Iterator[str]:
    server = QueueApi(desk, "127.0.0.1", 0, KEY)
    server.start()
    host, port = server.address
    yield f"http://{host}:{port}"
    server.stop()


def call(
    api: str, method: str, path: str, body: Any = None, key: str | None = KEY, **kw: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.request(method, api + path, json=body, headers=headers, timeout=10, **kw)


def test_a_session_started_finished_and_rated_through_the_api(
    api: str, desk: ServiceDesk, store: Store
) -> None:
    events: list[DeskEvent] = []
    desk.subscribe(events.append)
    started = call(api, "POST", "/api/v1/sessions", {"ticket": "A017", "matter_code": "HJ01"})
    assert started.status_code == 201, started.text
    session = started.json()["session"]
    assert (session["ticket"], session["staff_id"], session["matter_code"]) == (
        "A017",
        "s-001",  # the staff member on duty
        "HJ01",
    )
    assert call(api, "GET", "/api/v1/sessions/current").json()["session"]["id"] == session["id"]
    status = call(api, "GET", "/api/v1/status").json()
    assert status["open_session"]["id"] == session["id"]
    assert status["staff_on_duty"] == {"id": "s-001", "name": "王芳"}
    assert status["matters"] == [{"code": "HJ01", "name": "户籍迁入", "standard_minutes": 15}]

    done = call(api, "POST", f"/api/v1/sessions/{session['id']}/finish", {"outcome": "one_visit"})
    assert done.status_code == 200, done.text
    assert done.json()["invited"] is True
    assert done.json()["session"]["finished_in_one_visit"] is True
    assert [e.kind for e in events] == ["started", "finished"]
    assert desk.awaiting_rating() is not None
    store.record_rating(counter_id="c01", scores=FIVES, session_id=session["id"])
    assert call(api, "GET", f"/api/v1/sessions/{session['id']}").json()["session"]["rated"]
    assert desk.awaiting_rating() is None


def test_cancel_ends_the_session_without_an_invitation(api: str, desk: ServiceDesk) -> None:
    call(api, "POST", "/api/v1/sessions", {"ticket": "B002"})
    cancelled = call(api, "POST", "/api/v1/sessions/current/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["invited"] is False
    assert cancelled.json()["session"]["outcome"] == "cancelled"
    assert desk.awaiting_rating() is None


@pytest.mark.parametrize(("key"), [None, "wrong-key-wrong-key-wrong", KEY[:-1]])
def test_a_request_without_the_kiosks_key_is_refused_and_changes_nothing(
    api: str, desk: ServiceDesk, key: str | None
) -> None:
    answer = call(api, "POST", "/api/v1/sessions", {"ticket": "A001"}, key=key)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert desk.current() is None


def test_staff_sign_in_and_out_through_the_api(api: str, desk: ServiceDesk) -> None:
    signed = call(api, "POST", "/api/v1/duty", {"staff": "002"})  # the badge number
    assert signed.json() == {"staff_on_duty": {"id": "s-002", "name": "李强"}}
    assert call(api, "POST", "/api/v1/sessions", {}).json()["session"]["staff_id"] == "s-002"
    call(api, "POST", "/api/v1/sessions/current/cancel")
    assert call(api, "DELETE", "/api/v1/duty").json() == {"staff_on_duty": None}
    closed = call(api, "POST", "/api/v1/sessions", {"ticket": "A003"})
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "counter_closed"
    other = call(api, "POST", "/api/v1/duty", {"staff": "s-009"})  # another counter's
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "unknown_staff"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/api/v1/sessions", {"ticket": 17}, 422, "invalid"),
        ("POST", "/api/v1/sessions", {"ticket": "A1", "colour": "red"}, 422, "invalid"),
        ("POST", "/api/v1/sessions", {"ticket": "x" * 33}, 422, "invalid"),
        ("POST", "/api/v1/sessions", {"matter_code": "户籍"}, 422, "invalid"),
        ("POST", "/api/v1/sessions", [1, 2], 400, "bad_json"),
        (
            "POST",
            "/api/v1/sessions/current/finish",
            {"outcome": "one_visit"},
            404,
            "no_open_session",
        ),
        (
            "POST",
            "/api/v1/sessions/0190a000-0000-7000-8000-00000000dead/finish",
            {"outcome": "one_visit"},
            404,
            "session_not_found",
        ),
        (
            "GET",
            "/api/v1/sessions/0190a000-0000-7000-8000-00000000dead",
            None,
            404,
            "session_not_found",
        ),
        ("GET", "/api/v1/sessions", None, 405, "method_not_allowed"),
        ("GET", "/api/v1/nothing-here", None, 404, "not_found"),
        ("DELETE", "/api/v1/status", None, 405, "method_not_allowed"),
    ],
)
def test_bad_requests_get_a_json_error_with_a_stable_code(
    api: str, method: str, path: str, body: Any, status: int, code: str
) -> None:
    answer = call(api, method, path, body)
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["message"]


def test_malformed_json_and_oversized_bodies_are_refused(api: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    broken = requests.post(f"{api}/api/v1/sessions", data=b"{ticket", headers=headers, timeout=10)
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "bad_json")
    big = requests.post(
        f"{api}/api/v1/sessions", data=b"{" + b" " * 5000 + b"}", headers=headers, timeout=10
    )
    assert (big.status_code, big.json()["error"]["code"]) == (413, "too_large")


def test_a_second_start_while_a_session_is_open_is_a_conflict_naming_it(api: str) -> None:
    first = call(api, "POST", "/api/v1/sessions", {"ticket": "A001"}).json()["session"]
    again = call(api, "POST", "/api/v1/sessions", {"ticket": "A002"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "session_open"
    assert first["id"] in again.json()["error"]["message"]
    finished = call(api, "POST", f"/api/v1/sessions/{first['id']}/finish", {"outcome": "referred"})
    twice = call(api, "POST", f"/api/v1/sessions/{first['id']}/finish", {"outcome": "referred"})
    assert finished.status_code == 200
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "session_ended")


def test_the_api_listens_on_the_configured_address_only(desk: ServiceDesk) -> None:
    server = QueueApi(desk, "127.0.0.1", 0, KEY)
    server.start()
    try:
        host, port = server.address
        assert host == "127.0.0.1"
        # Another loopback address of this machine is not answered.
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.2", port), timeout=2),
        ):
            pass
    finally:
        server.stop()


def test_a_config_without_key_or_address_starts_no_api() -> None:
    assert replace(CONFIG).queue_api_listen == ""
    with pytest.raises(ValueError, match="key"):
        QueueApi(ServiceDesk.__new__(ServiceDesk), "127.0.0.1", 0, "")
