"""Who may open which console page and take which step: roles, halls (another hall's
objects are 404, never 403), CSRF on every state change, and signing in first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from server.models import Role
from server.settings import Settings
from server.users import service as users
from tests.server.conftest import PASSWORD, Hall, login
from tests.server.console_client import post_form, sign_in
from tests.server.test_alerts import low_score_alert


@pytest.fixture
def more_roles(hall: Hall, factory: sessionmaker[Session], settings: Settings) -> None:
    """A manager of the first hall and an inspector, besides the hall fixture's users."""
    now = datetime.now(UTC)
    hasher = users.hasher_for(settings)
    with factory.begin() as session:
        users.create_user(session, "manager1", PASSWORD, Role.MANAGER, "h1", now, hasher)
        users.create_user(session, "inspector", PASSWORD, Role.INSPECTOR, None, now, hasher)


PAGES = [
    "/",
    "/?hall=h1",
    "/today/panel?hall=h1",
    "/alerts",
    "/alerts?counter=c1",
    "/alerts/rows",
    "/alerts/{id}",
]


# Reading a page changes nothing, so one signed-in browser per role walks every page.
@pytest.mark.parametrize("username", ["admin", "super1", "manager1", "auditor", "inspector"])
def test_every_page_opens_for_each_role_that_sees_the_hall(
    client: TestClient, hall: Hall, more_roles: None, username: str
) -> None:
    alert_id = low_score_alert(client, hall)
    sign_in(client, username)
    got = {page: client.get(page.format(id=alert_id), follow_redirects=False) for page in PAGES}
    assert {page: r.status_code for page, r in got.items()} == dict.fromkeys(PAGES, 200)


def test_another_halls_pages_are_not_found_for_a_supervisor(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    sign_in(client, "super2")
    for page in [
        "/?hall=h1",
        "/today/panel?hall=h1",
        "/alerts?hall=h1",
        "/alerts?counter=c1",
        "/alerts/rows?counter=c1",
        "/alerts/{id}",
        "/alerts/999999",
    ]:
        response = client.get(page.format(id=alert_id))
        assert response.status_code == 404, page
        assert "text/html" in response.headers["content-type"], page
        assert "First hall" not in response.text, page
    assert "Counter 1" not in client.get("/alerts").text


STEPS = [
    ("step/acknowledge", {"note": "I take it on"}),
    ("assign", {"assignee": "1", "note": "please call"}),
    ("reply", {"reply": "We are looking into it."}),
]


@pytest.mark.parametrize(("path", "fields"), STEPS)
@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 303),
        ("super1", 303),
        ("manager1", 303),
        ("super2", 404),
        ("auditor", 403),
        ("inspector", 403),
    ],
)
def test_each_step_is_allowed_only_to_writers_of_the_hall(
    client: TestClient,
    hall: Hall,
    more_roles: None,
    path: str,
    fields: dict[str, str],
    username: str,
    status: int,
) -> None:
    alert_id = low_score_alert(client, hall)
    csrf = sign_in(client, username)
    got, body, _ = post_form(client, f"/alerts/{alert_id}/{path}", csrf, **fields)
    assert got == status, body
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=login(client, "admin")).json()
    assert bool(api["events"]) is (status == 303)


# A refused step changes nothing, so one browser tries each bad token in turn.
@pytest.mark.parametrize(("path", "fields"), [*STEPS, ("/logout", {})])
def test_a_state_change_without_the_right_csrf_token_is_refused(
    client: TestClient, hall: Hall, path: str, fields: dict[str, str]
) -> None:
    alert_id = low_score_alert(client, hall)
    sign_in(client, "super1")
    url = path if path.startswith("/") else f"/alerts/{alert_id}/{path}"
    for csrf in [None, "", "not-the-token"]:
        got, _, _ = post_form(client, url, csrf, **fields)
        assert got == 403, csrf
        api = client.get(f"/api/v1/alerts/{alert_id}", headers=login(client, "super1")).json()
        assert api["events"] == [], csrf
        assert client.get("/alerts", follow_redirects=False).status_code == 200, csrf


def test_the_htmx_header_carries_the_csrf_token(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    csrf = sign_in(client, "super1")
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf}"}}\'' in client.get("/").text
    response = client.post(
        f"/alerts/{alert_id}/step/acknowledge",
        content=b"note=via+htmx",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRF-Token": csrf,
            "HX-Request": "true",
        },
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/alerts/{alert_id}?done=acknowledge"


def test_pages_send_a_signed_out_browser_to_sign_in(client: TestClient, hall: Hall) -> None:
    for page in ["/alerts", "/alerts/1", "/today/panel", "/alerts/rows"]:
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/?next="), page


def test_a_signed_out_step_changes_nothing(client: TestClient, hall: Hall) -> None:
    alert_id = low_score_alert(client, hall)
    client.get("/")
    got, _, location = post_form(client, f"/alerts/{alert_id}/step/acknowledge", None, note="x")
    assert (got, location) == (303, "/")
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=login(client, "super1")).json()
    assert api["state"] == "open"
