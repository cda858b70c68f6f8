"""Input that used to slip through or crash: extreme clocks, a session copy that changes
its ticket, a rejected rating's seq, `"protocol": true`, gzip with trailing bytes, device
text with terminal escapes."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.models import Device, ServiceSession
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import envelope, rating
from tests.server.test_cli import run


def _sync(client: TestClient, hall: Hall, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/sync", json=body, headers=hall.auth)


@pytest.mark.parametrize(
    ("device_time", "oldest_pending_at", "status"),
    [
        ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", 422),
        ("0001-01-01T00:00:00+08:00", None, 422),
        ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", 422),
        ("9999-12-31T23:59:59-12:00", None, 422),
        # A sane clock an hour behind, and a queue claiming to be from the year 9999.
        ("behind", "9999-12-31T23:30:00+00:00", 200),
        ("behind", "0001-01-01T00:00:00+00:00", 200),
        # A clock reset to the epoch still syncs (its ratings are corrected).
        ("1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00", 200),
    ],
)
def test_extreme_device_clocks_are_a_clear_answer_not_a_500(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    device_time: str,
    oldest_pending_at: str | None,
    status: int,
) -> None:
    body = envelope([])
    body["device_time"] = (
        (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        if device_time == "behind"
        else device_time
    )
    if oldest_pending_at:
        body["oldest_pending_at"] = oldest_pending_at
    response = _sync(client, hall, body)
    assert response.status_code == status, response.text
    if status == 422:
        assert "device_time" in response.json()["error"]["message"]
        return
    with factory() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        pending = device.oldest_pending_at
        assert pending is None or 1900 <= pending.year < 9000


def test_a_session_copy_that_changes_the_ticket_is_a_conflict(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    started = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    opened = {"id": str(uuid.uuid4()), "counter_id": "c1", "ticket": "A001", "started_at": started}
    ended = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    first = _sync(client, hall, envelope([], sessions=[opened]))
    assert first.json()["results"][opened["id"]] == "accepted"
    other_ticket = {**opened, "ticket": "B999", "ended_at": ended}
    answer = _sync(client, hall, envelope([], sessions=[other_ticket])).json()
    assert answer["results"][opened["id"]] == "conflict"
    other_staff = {**opened, "staff_id": "someone-else", "ended_at": ended}
    assert _sync(client, hall, envelope([], sessions=[other_staff])).json()["results"] == {
        opened["id"]: "conflict"
    }
    # Closing it as it was opened is fine.
    closed = {**opened, "ended_at": ended, "finished_in_one_visit": True}
    assert _sync(client, hall, envelope([], sessions=[closed])).json()["results"] == {
        opened["id"]: "accepted"
    }
    with factory() as session:
        stored = session.scalars(select(ServiceSession)).one()
        assert (stored.ticket, stored.staff_id, stored.finished_in_one_visit) == (
            "A001",
            None,
            True,
        )


def test_a_rejected_ratings_seq_makes_no_false_gap(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    huge = 9 * 10**18
    body = envelope(
        [
            rating(seq=1),
            rating(hall.other_counter_id, seq=huge),  # not this device's counter
            rating(seq=huge - 1, created_at="1800-01-01T00:00:00+00:00"),  # no plausible date
            rating(seq=2),
        ]
    )
    results = _sync(client, hall, body).json()["results"]
    assert sorted(results.values()) == ["accepted", "accepted", "rejected", "rejected"]
    with factory() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        assert (device.highest_seq, device.seq_gaps) == (2, [])


@pytest.mark.parametrize("version", [True, 1.0, "1", 2, None])
def test_the_protocol_version_is_the_integer_1(
    client: TestClient, hall: Hall, version: object
) -> None:
    body = envelope([rating()])
    body["protocol"] = version
    response = _sync(client, hall, body)
    assert response.status_code == 422
    assert "protocol" in response.json()["error"]["message"]


def test_a_gzip_body_with_trailing_garbage_is_refused(client: TestClient, hall: Hall) -> None:
    packed = gzip.compress(json.dumps(envelope([rating()])).encode())
    for tail in (b"garbage", gzip.compress(b"{}")):
        response = client.post(
            "/api/v1/sync",
            content=packed + tail,
            headers={**hall.auth, "Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "bad_encoding"
    fine = client.post(
        "/api/v1/sync",
        content=packed,
        headers={**hall.auth, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert fine.status_code == 200


def test_devices_shows_device_text_without_running_its_escapes(
    client: TestClient, hall: Hall, db_url: str
) -> None:
    body = envelope([rating()])
    body["app_version"] = "\x1b]0;owned\x07\x1b[2J\r\u202e1"
    assert _sync(client, hall, body).status_code == 200
    code, out, _ = run(db_url, "devices")
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\r" not in out
    assert "\u202e" not in out
    assert "\\x1b]0;owned" in out
