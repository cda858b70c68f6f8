"""Driving the console through a TestClient as a browser would: sign in with the form,
carry the CSRF token the pages hold."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.server.conftest import PASSWORD

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the CSRF token of the signed-in session."""
    page = client.get("/")
    response = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def post_form(
    client: TestClient, url: str, csrf: str | None, **fields: str
) -> tuple[int, str, str | None]:
    """POST a console form; (status, body, redirect location)."""
    data = dict(fields)
    if csrf is not None:
        data["csrf"] = csrf
    response = client.post(url, data=data, follow_redirects=False)
    return response.status_code, response.text, response.headers.get("location")


def replace_cookie(client: TestClient, name: str, value: str) -> None:
    """Swap a cookie the server set for `value` (as a tampering or time-travelling browser)."""
    client.cookies.delete(name)
    client.cookies.set(name, value, domain="testserver.local")
