"""Signing in to the console at /: the form, the session cookie, signing out, the shared
rate limit, the idle timeout, and the audit log of it all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.audit import service as audit
from server.console import session as console_session
from server.models import User
from server.settings import Settings
from tests.server.conftest import PASSWORD, Hall
from tests.server.console_client import csrf_of, post_form, replace_cookie, sign_in


def test_it_shows_the_sign_in_page_at_the_root(client: TestClient, hall: Hall) -> None:
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "登录" in page.text
    assert 'name="password"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_it_follows_the_browser_language_then_the_users_choice(
    client: TestClient, hall: Hall
) -> None:
    assert "Sign in" in client.get("/", headers={"Accept-Language": "en-GB,en"}).text
    csrf = csrf_of(client.get("/").text)
    status, _, location = post_form(client, "/lang", csrf, lang="en", next="/")
    assert (status, location) == (303, "/")
    page = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in page.text


def test_it_signs_in_with_the_users_password_and_shows_today(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    sign_in(client, "super1")
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Today · First hall" in page.text
    assert "Counter 1" in page.text
    with factory() as session:
        (entry,) = audit.entries(session, action="login")
        assert (entry.username, entry.hall_id) == ("super1", "h1")


def test_the_session_cookie_is_httponly_samesite_lax_and_signed(
    client: TestClient, hall: Hall
) -> None:
    csrf = csrf_of(client.get("/").text)
    response = client.post(
        "/login",
        data={"csrf": csrf, "username": "super1", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = next(
        c
        for c in response.headers.get_list("set-cookie")
        if c.startswith(console_session.SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    value = client.cookies[console_session.SESSION_COOKIE]
    replace_cookie(client, console_session.SESSION_COOKIE, value[:-2] + "xx")
    assert 'name="password"' in client.get("/").text


def test_the_session_cookie_is_secure_over_https(app: object, hall: Hall) -> None:
    with TestClient(app, base_url="https://testserver") as secure:  # type: ignore[arg-type]
        csrf = csrf_of(secure.get("/").text)
        response = secure.post(
            "/login",
            data={"csrf": csrf, "username": "super1", "password": PASSWORD},
            follow_redirects=False,
        )
        assert any(
            c.startswith(console_session.SESSION_COOKIE) and "Secure" in c
            for c in response.headers.get_list("set-cookie")
        )


def test_it_refuses_a_wrong_password_and_logs_the_attempt(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = csrf_of(client.get("/").text)
    status, body, _ = post_form(
        client, "/login", csrf, username="super1", password="wrong password"
    )
    assert status == 401
    assert 'name="password"' in body
    assert console_session.SESSION_COOKIE not in client.cookies
    with factory() as session:
        (entry,) = audit.entries(session, action="login.failed")
        assert entry.username == "super1"


def test_sign_in_without_the_forms_csrf_token_is_refused(client: TestClient, hall: Hall) -> None:
    client.get("/")
    status, _, _ = post_form(client, "/login", None, username="super1", password=PASSWORD)
    assert status == 403
    assert console_session.SESSION_COOKIE not in client.cookies


def test_failed_api_logins_also_block_console_sign_in(
    client: TestClient, hall: Hall, settings: Settings
) -> None:
    for _ in range(settings.enroll_failures_per_minute):
        client.post("/api/v1/auth/login", json={"username": "super1", "password": "nope"})
    csrf = csrf_of(client.get("/").text)
    status, _, _ = post_form(client, "/login", csrf, username="super1", password=PASSWORD)
    assert status == 429


def test_it_signs_out_and_logs_it(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "super1")
    status, _, location = post_form(client, "/logout", csrf)
    assert (status, location) == (303, "/")
    assert 'name="password"' in client.get("/").text
    with factory() as session:
        assert [e.action for e in audit.entries(session)] == ["logout", "login"]


def test_an_idle_session_goes_back_to_sign_in(
    client: TestClient, hall: Hall, settings: Settings
) -> None:
    sign_in(client, "super1")
    decoded = console_session.decode(
        client.cookies[console_session.SESSION_COOKIE],
        settings.secret_key,
        datetime.now(UTC),
        60,
        3600,
    )
    assert decoded is not None
    idle = settings.console_idle_minutes * 60 + 1
    stale = console_session.ConsoleSession(
        **{**decoded.__dict__, "seen": decoded.seen - idle, "issued": decoded.issued - idle}
    )
    replace_cookie(
        client, console_session.SESSION_COOKIE, console_session.encode(stale, settings.secret_key)
    )
    response = client.get("/alerts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?next=%2Falerts"
    polled = client.get("/alerts/rows", headers={"HX-Request": "true"}, follow_redirects=False)
    assert polled.headers["HX-Redirect"].startswith("/")


def test_polling_does_not_keep_a_session_alive(
    client: TestClient, hall: Hall, settings: Settings
) -> None:
    sign_in(client, "super1")
    before = client.cookies[console_session.SESSION_COOKIE]
    old = console_session.decode(before, settings.secret_key, datetime.now(UTC), 60, 3600)
    assert old is not None
    aged = console_session.ConsoleSession(**{**old.__dict__, "seen": old.seen - 120})
    replace_cookie(
        client, console_session.SESSION_COOKIE, console_session.encode(aged, settings.secret_key)
    )
    client.get("/today/panel", headers={"X-Console-Poll": "1"})
    after = console_session.decode(
        client.cookies[console_session.SESSION_COOKIE],
        settings.secret_key,
        datetime.now(UTC),
        600,
        3600,
    )
    assert after is not None
    assert after.seen == aged.seen
    client.get("/alerts")
    touched = console_session.decode(
        client.cookies[console_session.SESSION_COOKIE],
        settings.secret_key,
        datetime.now(UTC),
        600,
        3600,
    )
    assert touched is not None
    assert touched.seen > aged.seen


@pytest.mark.parametrize("change", ["disable", "password"])
def test_a_disabled_user_or_a_changed_password_ends_the_session(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], change: str
) -> None:
    sign_in(client, "super1")
    with factory.begin() as session:
        values = {"active": False} if change == "disable" else {"password_hash": "changed"}
        session.execute(update(User).where(User.username == "super1").values(**values))
    response = client.get("/alerts", follow_redirects=False)
    assert response.status_code == 303
    with factory() as session:
        assert session.scalars(select(User.id)).all()


def test_a_disabled_user_cannot_sign_in(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    with factory.begin() as session:
        session.execute(update(User).where(User.username == "super1").values(active=False))
    csrf = csrf_of(client.get("/").text)
    status, _, _ = post_form(client, "/login", csrf, username="super1", password=PASSWORD)
    assert status == 401


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(
    client: TestClient, hall: Hall
) -> None:
    for target, expected in [
        ("/alerts", "/alerts"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ]:
        client.cookies.clear()
        csrf = csrf_of(client.get("/").text)
        _, _, location = post_form(
            client, "/login", csrf, username="super1", password=PASSWORD, next=target
        )
        assert location == expected
    assert timedelta(0) == timedelta(0)
