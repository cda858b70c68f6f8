"""The Notifications page: the deadlines about to be missed, what was sent on the hall's
channels and whether it arrived, channels added and removed by administrators only (audit
log without the URL's secrets), and the hall's alert profile changed from a form."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.models import (
    Alert,
    AlertProfileRow,
    AuditEntry,
    NotificationChannel,
    NotificationOutbox,
)
from server.notify import service
from tests.server.conftest import Hall
from tests.server.console_client import sign_in
from tests.server.test_alerts import low_score_alert

SECRET_URL = "json://robot:hunter2-secret@127.0.0.1:9/hook?key=abc"


def _channel(factory: sessionmaker[Session], hall_id: str | None, label: str) -> int:
    with factory.begin() as db:
        channel = service.add_channel(
            db,
            url=SECRET_URL,
            role="supervisor",
            hall_id=hall_id,
            label=label,
            quiet=None,
            digest=False,
            now=datetime.now(UTC),
        )
        return channel.id


def post_form(
    client: TestClient, path: str, csrf: str | None, **fields: str
) -> tuple[int, str, str | None]:
    """POST a console form (a field may be called `url`); (status, body, redirect)."""
    data = dict(fields) if csrf is None else {**fields, "csrf": csrf}
    answer = client.post(path, data=data, follow_redirects=False)
    return answer.status_code, answer.text, answer.headers.get("location")


def _audit(factory: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _rows(html: str, table: str) -> list[str]:
    """The text of each body row of the table with id `table`."""
    found = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    if found is None:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def test_a_supervisor_sees_what_will_be_missed_and_what_was_delivered(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    own = _channel(factory, "h1", "Duty phone h1")
    everywhere = _channel(factory, None, "Province office")
    _channel(factory, "h2", "Second hall only")
    alert_id = low_score_alert(client, hall)
    with factory.begin() as db:
        rows = list(db.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id)))
        assert sorted(r.channel_id for r in rows) == [own, everywhere]
        rows[0].state = "failed"
        rows[0].attempts = 5
        rows[0].last_error = "HTTP 502 from the robot"
    sign_in(client, "super1")
    client.headers["Accept-Language"] = "en"
    page = client.get("/notifications")
    assert page.status_code == 200
    forecast = _rows(page.text, "forecast")
    assert len(forecast) == 1
    assert f"#{alert_id}" in forecast[0]
    delivered = _rows(page.text, "deliveries")
    # The hall's own channel and the all-hall one; never the second hall's.
    assert sorted(r.split(" New alert ")[1].split(" ")[0] for r in delivered) == [
        "Duty",
        "Province",
    ]
    assert any("failed" in r and " 5 " in r for r in delivered)
    # Errors and addresses may hold a gateway's details: administrators only.
    assert "HTTP 502" not in page.text
    assert "127.0.0.1" not in page.text
    assert "Second hall only" not in page.text
    assert 'action="/notifications/channels"' not in page.text
    counts = re.search(r'id="delivery-counts">(.*?)</p>', page.text, re.S)
    assert counts is not None
    assert (
        " ".join(counts.group(1).split()) == "waiting 1 · held for the digest 0 · sent 0 · failed 1"
    )
    failed_only = _rows(client.get("/notifications?state=failed").text, "deliveries")
    assert len(failed_only) == 1


def test_an_admin_adds_and_removes_a_channel_and_the_log_keeps_no_secret(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "admin")
    status, _, location = post_form(
        client,
        "/notifications/channels",
        csrf,
        hall="h1",
        url=SECRET_URL,
        role="manager",
        scope="hall",
        label="Manager robot",
        quiet="22:00-07:30",
        digest="on",
    )
    assert (status, location) == (303, "/notifications?hall=h1&saved=1")
    page = client.get("/notifications?hall=h1").text
    (row,) = _rows(page, "channels")
    assert "Manager robot" in row
    assert "22:00–07:30" in row
    assert "json://robot@127.0.0.1:9/…" in page
    assert "hunter2" not in page
    assert "abc" not in page
    (added,) = _audit(factory, "notify.channel.add")
    assert added.username == "admin"
    assert "hunter2" not in str(added.after)
    with factory() as db:
        channel = db.scalars(select(NotificationChannel)).one()
        assert (channel.hall_id, channel.role, channel.digest) == ("h1", "manager", True)

    status, _, _ = post_form(
        client, f"/notifications/channels/{channel.id}/remove", csrf, hall="h1"
    )
    assert status == 303
    assert _rows(client.get("/notifications?hall=h1").text, "channels") == []
    (removed,) = _audit(factory, "notify.channel.remove")
    assert removed.before["active"] is True
    assert removed.after["active"] is False


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"url": "nonsense"}, "not a channel URL"),
        ({"quiet": "25:00-07:00"}, "quiet hours are HH:MM-HH:MM"),
        ({"role": "citizen"}, "role must be one of"),
    ],
)
def test_a_refused_channel_says_why_keeps_the_form_but_not_the_url(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    fields: dict[str, str],
    says: str,
) -> None:
    csrf = sign_in(client, "admin")
    client.headers["Accept-Language"] = "en"
    form = {"hall": "h1", "url": SECRET_URL, "role": "supervisor", "label": "Kept label"}
    status, body, _ = post_form(client, "/notifications/channels", csrf, **{**form, **fields})
    assert status == 400
    assert says in body
    assert 'value="Kept label"' in body
    assert "hunter2" not in body
    with factory() as db:
        assert db.scalars(select(NotificationChannel)).all() == []
    assert _audit(factory, "notify.channel.add") == []


def _profile_form(**changes: str) -> dict[str, str]:
    form = {
        "hall": "h1",
        "stage_acknowledge_amount": "4",
        "stage_acknowledge_unit": "hours",
        "stage_call_back_amount": "1",
        "stage_call_back_unit": "working_days",
        "stage_rectify_amount": "2",
        "stage_rectify_unit": "working_days",
        "stage_close_amount": "5",
        "stage_close_unit": "working_days",
        "esc_manager_amount": "1",
        "esc_manager_unit": "working_days",
        "esc_inspector_amount": "",
        "esc_inspector_unit": "working_days",
        "warn_hours": "1.5",
        "surge_enabled": "on",
        "surge_share": "60",
        "surge_min": "5",
        "surge_window": "20",
        "closures": "2026-12-24\n2026-12-31",
    }
    return {**form, **changes}


def test_an_admin_changes_the_halls_profile_and_the_api_and_new_alerts_use_it(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "admin")
    status, body, location = post_form(client, "/notifications/profile", csrf, **_profile_form())
    assert (status, location) == (303, "/notifications?hall=h1&saved=1"), body
    with factory() as db:
        stored = db.get(AlertProfileRow, "h1")
        assert stored is not None
        profile = stored.profile
    assert profile["stages"][0] == {
        "stage": "acknowledge",
        "within": {"amount": "4", "unit": "hours"},
    }
    assert [e["role"] for e in profile["escalation"]] == ["manager"]
    assert profile["surge"] == {
        "enabled": True,
        "window_minutes": 20,
        "min_ratings": 5,
        "low_share": "0.6",
    }
    assert sorted(profile["closures"]) == ["2026-12-24", "2026-12-31"]
    (entry,) = _audit(factory, "notify.profile")
    assert entry.before is not None
    assert entry.after == profile
    # A new low score is due 4 hours after the server learned of it.
    alert_id = low_score_alert(client, hall)
    with factory() as db:
        alert = db.get(Alert, alert_id)
        assert alert is not None
        hours = (alert.due_at - alert.created_at).total_seconds() / 3600
    assert 3.9 < hours <= 4.0
    page = client.get("/notifications?hall=h1").text
    assert 'value="4"' in page
    assert "2026-12-24" in page


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"stage_rectify_amount": "two"}, "Rectify: not a number"),
        ({"closures": "next friday"}, "is not a date"),
        ({"stage_close_amount": "-1"}, "greater than 0"),
        ({"surge_window": "2.5"}, "whole numbers"),
    ],
)
def test_a_refused_profile_says_why_keeps_what_was_typed_and_stores_nothing(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    changes: dict[str, str],
    says: str,
) -> None:
    csrf = sign_in(client, "admin")
    client.headers["Accept-Language"] = "en"
    status, body, _ = post_form(client, "/notifications/profile", csrf, **_profile_form(**changes))
    assert status == 400
    assert says in body
    for value in changes.values():
        assert value in body
    with factory() as db:
        assert db.get(AlertProfileRow, "h1") is None
    assert _audit(factory, "notify.profile") == []


def test_only_admins_change_and_nobody_reaches_another_halls_channels(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    theirs = _channel(factory, "h2", "Second hall only")
    csrf = sign_in(client, "super1")
    assert client.get("/notifications?hall=h2").status_code == 404
    for url, fields in [
        ("/notifications/channels", {"hall": "h1", "url": SECRET_URL, "role": "supervisor"}),
        (f"/notifications/channels/{theirs}/remove", {"hall": "h1"}),
        ("/notifications/profile", _profile_form()),
    ]:
        assert post_form(client, url, csrf, **fields)[0] == 403, url
    admin = sign_in(client, "admin")
    # A channel of another hall, asked for through this hall's page, is not found.
    assert post_form(client, f"/notifications/channels/{theirs}/remove", admin, hall="h1")[0] == 404
    for url, fields in [
        ("/notifications/channels", {"hall": "h1", "url": SECRET_URL, "role": "supervisor"}),
        ("/notifications/profile", _profile_form()),
    ]:
        assert post_form(client, url, "not-the-token", **fields)[0] == 403, url
    with factory() as db:
        assert [c.id for c in service.list_channels(db)] == [theirs]
        assert db.get(AlertProfileRow, "h1") is None


def test_the_page_and_its_refusals_speak_chinese(client: TestClient, hall: Hall) -> None:
    csrf = sign_in(client, "admin")
    client.headers["Accept-Language"] = "zh-CN"
    page = client.get("/notifications").text
    for words in ["通知渠道", "时限与升级", "送达情况", "个工作日", "受理"]:
        assert words in page
    form = _profile_form(stage_rectify_amount="two")
    assert "整改：不是数字" in post_form(client, "/notifications/profile", csrf, **form)[1]
    refused = post_form(client, "/notifications/channels", csrf, hall="h1", url="x", role="manager")
    assert "不是 apprise 能识别的渠道地址" in refused[1]
