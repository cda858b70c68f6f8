"""Supervisors work alerts through /api/v1/alerts…; roles and halls limit who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from server.escalation import escalate_once
from server.settings import Settings
from tests.server.conftest import PASSWORD, Hall, enroll_device, login
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating


def low_score_alert(client: TestClient, hall: Hall, **extra: object) -> int:
    r = rating(seq=1, scores=ALL_ONES, comment="窗口人员态度差 <script>", **extra)
    # 1 low in 6 keeps the counter under the 20% monthly limit: one alert only.
    body = envelope([r] + [rating(seq=i) for i in range(2, 7)])
    answer = client.post("/api/v1/sync", json=body, headers=hall.auth).json()
    (alert,) = answer["alerts"]
    return int(alert["id"])


def test_a_supervisor_works_an_alert_from_open_to_closed(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    listed = client.get("/api/v1/alerts", headers=auth).json()
    assert [a["id"] for a in listed] == [alert_id]
    assert listed[0]["state"] == "open"
    for action, state, body in [
        ("acknowledge", "acknowledged", {"note": "I take it; calling this afternoon"}),
        ("call-back", "called_back", {"note": "citizen reached, apologised", "reached": True}),
        ("rectify", "rectified", {"note": "queue guidance sign added"}),
        ("close", "closed", {"note": "citizen satisfied with the result", "cause": "waiting"}),
    ]:
        response = client.post(f"/api/v1/alerts/{alert_id}/{action}", json=body, headers=auth)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == state
    detail = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    assert [e["action"] for e in detail["events"]] == [
        "acknowledge",
        "call-back",
        "rectify",
        "close",
    ]
    assert detail["closed_at"] is not None
    assert detail["cause"] == "waiting"
    assert detail["events"][1]["detail"] == {"reached": True}
    assert detail["rating"]["comment"] == "窗口人员态度差 <script>"
    assert detail["rating"]["weighted_score"] == 1.0
    # closed alerts are no longer sent to the kiosk
    again = client.post("/api/v1/sync", json=envelope([]), headers=hall.auth).json()
    assert again["alerts"] == []


def test_steps_out_of_order_are_409_and_change_nothing(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    response = client.post(f"/api/v1/alerts/{alert_id}/close", json={}, headers=auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()["state"] == "open"


def test_a_supervisor_neither_sees_nor_works_another_halls_alerts(
    client: TestClient, hall: Hall
) -> None:
    alert_id = low_score_alert(client, hall)
    other = login(client, "super2")
    assert client.get("/api/v1/alerts", headers=other).json() == []
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=other).status_code == 404
    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=other)
    assert response.status_code == 404
    assert (
        client.get(f"/api/v1/counters/{hall.counter_id}/scores", headers=other).status_code == 404
    )


def test_an_auditor_reads_everything_and_changes_nothing(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    auth = login(client, "auditor")
    assert [a["id"] for a in client.get("/api/v1/alerts", headers=auth).json()] == [alert_id]
    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=auth)
    assert response.status_code == 403
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()["state"] == "open"
    scores = client.get(f"/api/v1/counters/{hall.counter_id}/scores", headers=auth).json()
    assert scores["today"]["count"] == 6


def test_an_admin_sees_all_halls_and_device_health(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    low_score_alert(client, hall)
    _, token = enroll_device(factory, settings, hall.foreign_counter_id)
    client.post(
        "/api/v1/sync",
        json=envelope([rating(hall.foreign_counter_id, scores=ALL_ONES)]),
        headers={"Authorization": f"Bearer {token}"},
    )
    auth = login(client, "admin")
    halls = {a["hall_id"] for a in client.get("/api/v1/alerts", headers=auth).json()}
    assert halls == {"h1", "h2"}
    devices = client.get("/api/v1/devices", headers=auth).json()
    assert {d["counter_id"] for d in devices} == {hall.counter_id, hall.foreign_counter_id}
    assert all("token" not in key for d in devices for key in d)
    supervisor = client.get("/api/v1/devices", headers=login(client, "super1")).json()
    assert {d["counter_id"] for d in supervisor} == {hall.counter_id}


def test_device_health_gives_the_age_of_the_oldest_waiting_rating_on_the_server_clock(
    client: TestClient, hall: Hall
) -> None:
    device_now = datetime.now(UTC) - timedelta(hours=1)  # the kiosk's clock is an hour slow
    body = dict(
        envelope([rating()], device_time=device_now, queue_depth=40),
        oldest_pending_at=(device_now - timedelta(hours=2)).isoformat(),
    )
    client.post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {hall.token}"})
    auth = login(client, "admin")
    [device] = [
        d for d in client.get("/api/v1/devices", headers=auth).json() if d["id"] == hall.device_id
    ]
    assert device["queue_depth"] == 40
    assert 2 * 3600 - 60 < device["oldest_pending_age_s"] < 2 * 3600 + 60

    client.post(
        "/api/v1/sync",
        json=envelope([rating(seq=2)]),
        headers={"Authorization": f"Bearer {hall.token}"},
    )
    [device] = [
        d for d in client.get("/api/v1/devices", headers=auth).json() if d["id"] == hall.device_id
    ]
    assert device["oldest_pending_age_s"] is None


def test_an_alert_is_escalated_when_its_deadline_from_arrival_passes_not_before(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    made = datetime.now(UTC) - timedelta(hours=30)
    late = low_score_alert(client, hall, created_at=made.isoformat())
    auth = login(client, "super1")
    # A rating made 30 hours ago that the server learns of now is not overdue on arrival.
    assert escalate_once(factory) == 0
    [alert] = client.get("/api/v1/alerts", headers=auth).json()
    assert alert["id"] == late
    assert 30 * 3600 - 60 < alert["learn_delay_s"] < 30 * 3600 + 60
    assert alert["learned_at"] == alert["created_at"]
    assert datetime.fromisoformat(alert["rating_made_at"]) < datetime.fromisoformat(
        alert["learned_at"]
    )
    learned = datetime.fromisoformat(alert["learned_at"])
    assert datetime.fromisoformat(alert["due_at"]) == learned + timedelta(hours=24)

    later = learned + timedelta(hours=25)
    assert escalate_once(factory, later) == 1
    assert escalate_once(factory, later) == 0
    escalated = client.get("/api/v1/alerts?escalated=true", headers=auth).json()
    assert [a["id"] for a in escalated] == [late]
    assert escalated[0]["state"] == "open"
    assert escalated[0]["escalated_to"] == "manager"
    answer = client.post("/api/v1/sync", json=envelope([]), headers=hall.auth).json()
    assert [a["escalated"] for a in answer["alerts"]] == [True]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer u1.e30.bad"}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
    ],
    ids=["none", "forged", "garbage"],
)
def test_alerts_need_a_login(
    client: TestClient, hall: Hall, headers: dict[str, str], status: int
) -> None:
    response = client.get("/api/v1/alerts", headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] in ("missing_token", "invalid_token")


def test_a_device_token_does_not_open_the_dashboard(client: TestClient, hall: Hall) -> None:
    assert client.get("/api/v1/alerts", headers=hall.auth).status_code == 401


def test_a_wrong_password_is_401(client: TestClient, hall: Hall) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"username": "super1", "password": PASSWORD + "x"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    ("action", "body", "code"),
    [
        ("acknowledge", {}, "note_required"),
        ("acknowledge", {"note": "   "}, "note_required"),
        ("call-back", {"note": "called"}, "reached_required"),
        ("call-back", {"reached": False}, "note_required"),
        ("rectify", {"note": ""}, "note_required"),
        ("close", {"note": "done"}, "cause_required"),
    ],
)
def test_a_step_without_what_a_person_would_write_down_is_refused(
    client: TestClient, hall: Hall, action: str, body: dict[str, object], code: str
) -> None:
    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    steps = {
        "acknowledge": {"note": "taking it"},
        "call-back": {"note": "no answer", "reached": False},
        "rectify": {"note": "sign added"},
    }
    for step, step_body in steps.items():
        if step == action:
            break
        client.post(f"/api/v1/alerts/{alert_id}/{step}", json=step_body, headers=auth)
    before = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    response = client.post(f"/api/v1/alerts/{alert_id}/{action}", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    after = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    assert after["state"] == before["state"]
    assert len(after["events"]) == len(before["events"])


def test_an_alert_is_assigned_only_to_someone_who_may_work_its_hall(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    from sqlalchemy import select

    from server.models import User

    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    with factory() as session:
        ids = dict(session.execute(select(User.username, User.id)).tuples().all())
    refused = client.post(
        f"/api/v1/alerts/{alert_id}/assign",
        json={"assignee_id": ids["super2"], "note": "please call"},
        headers=auth,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "bad_assignee"
    done = client.post(
        f"/api/v1/alerts/{alert_id}/assign",
        json={"assignee_id": ids["admin"], "note": "please call the citizen"},
        headers=auth,
    )
    assert done.status_code == 200, done.text
    assert done.json()["assignee_id"] == ids["admin"]


def test_every_alert_step_is_in_the_audit_log_with_before_and_after(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    from server.audit import service as audit

    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "mine"}, headers=auth)
    client.post(f"/api/v1/alerts/{alert_id}/reply", json={"reply": "We called."}, headers=auth)
    with factory() as session:
        entries = audit.entries(session, object_type="alert", object_id=str(alert_id))
        rows = [(e.action, e.username, e.hall_id, e.before, e.after) for e in entries]
    (reply, ack) = rows
    assert ack[:3] == ("alert.acknowledge", "super1", "h1")
    assert ack[3]["state"] == "open"
    assert ack[4]["state"] == "acknowledged"
    assert ack[4]["note"] == "mine"
    assert reply[0] == "alert.reply"
    assert reply[3]["public_reply"] is None
    assert reply[4]["public_reply"] == "We called."
