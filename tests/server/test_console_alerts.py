"""Working alerts in the console: the queue, the alert page and each step's form, with the
same rules as the API (one implementation), and what the citizen then sees."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from server.audit import service as audit
from server.models import Alert
from tests.server.conftest import Hall, login
from tests.server.console_client import post_form, sign_in
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating
from tests.server.test_alerts import low_score_alert

EN = {"Accept-Language": "en"}


def test_it_works_an_alert_to_closed_and_the_receipt_page_shows_the_reply(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    alert_id = low_score_alert(client, hall, receipt="ABCD2345EFGH")
    csrf = sign_in(client, "super1")
    base = f"/alerts/{alert_id}"
    steps = [
        ("step/acknowledge", {"note": "I take it on"}),
        ("step/call-back", {"note": "Called Ms Li; she waited 40 minutes", "reached": "yes"}),
        ("step/rectify", {"note": "A second clerk at peak hours"}),
        ("reply", {"reply": "We added a clerk at peak hours. Thank you."}),
        ("step/close", {"note": "Citizen satisfied", "cause": "waiting"}),
    ]
    for path, fields in steps:
        status, body, location = post_form(client, f"{base}/{path}", csrf, **fields)
        assert status == 303, body
        assert location is not None
        assert location.startswith(base)
    page = client.get(base, headers=EN).text
    assert 'id="alert-state">closed<' in page
    assert "waiting" in page
    assert "Citizen reached" in page
    receipt = client.get("/r/ABCD2345EFGH").text
    assert "We added a clerk at peak hours. Thank you." in receipt
    with factory() as session:
        actions = [e.action for e in audit.entries(session, object_type="alert")]
    assert actions == [
        "alert.close",
        "alert.reply",
        "alert.rectify",
        "alert.call-back",
        "alert.acknowledge",
    ]


def test_an_empty_note_is_refused_and_what_was_typed_stays(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    csrf = sign_in(client, "super1")
    post_form(client, f"/alerts/{alert_id}/step/acknowledge", csrf, note="mine")
    status, body, _ = post_form(
        client, f"/alerts/{alert_id}/step/call-back", csrf, note="  ", reached="no"
    )
    assert status == 422
    assert 'id="problem"' in body
    status, body, _ = post_form(
        client, f"/alerts/{alert_id}/step/call-back", csrf, note="no answer twice"
    )
    assert status == 422
    assert "no answer twice</textarea>" in body
    status, body, _ = post_form(client, f"/alerts/{alert_id}/step/close", csrf, note="x")
    assert status == 409
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=login(client, "super1")).json()
    assert api["state"] == "acknowledged"


def test_the_citizens_comment_is_shown_escaped(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    sign_in(client, "super1")
    page = client.get(f"/alerts/{alert_id}").text
    assert "窗口人员态度差 &lt;script&gt;" in page
    assert "<script>" not in page.split("</head>")[1]


def test_the_queue_puts_overdue_alerts_first_and_marks_them(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    first = low_score_alert(client, hall)
    body = envelope([rating(seq=10, scores=ALL_ONES)] + [rating(seq=i) for i in range(11, 17)])
    answer = client.post("/api/v1/sync", json=body, headers=hall.auth).json()
    second = max(int(a["id"]) for a in answer["alerts"])
    with factory.begin() as session:
        session.execute(
            update(Alert)
            .where(Alert.id == second)
            .values(due_at=datetime.now(UTC) - timedelta(hours=2))
        )
    sign_in(client, "super1")
    page = client.get("/alerts", headers=EN).text
    order = [int(x) for x in re.findall(r'data-alert="(\d+)"', page)]
    assert order[:2] == [second, first]
    overdue_row = re.search(rf'<tr class="overdue" data-alert="{second}"', page)
    assert overdue_row is not None
    rows = client.get("/alerts/rows?state=open", headers=EN).text
    assert f'data-alert="{second}"' in rows


def test_the_queue_filters_by_state_counter_kind_and_period(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    sign_in(client, "super1")
    for query, shown in [
        ("state=open", True),
        ("state=closed", False),
        ("counter=c1", True),
        ("counter=c2", False),
        ("kind=low_score", True),
        ("kind=counter_low_rate", False),
        ("period=today", True),
    ]:
        rows = client.get(f"/alerts/rows?{query}").text
        assert (f'data-alert="{alert_id}"' in rows) is shown, query
    assert client.get("/alerts?state=nonsense").status_code == 422
