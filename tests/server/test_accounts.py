"""User accounts and device tokens: a minimum password policy, disabling a user, revoking
every token of a user or a device, and login tokens whose lifetime the server caps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from server.models import EnrollmentCode, Role
from server.settings import Settings
from server.users import service as users
from tests.server.conftest import PASSWORD, SECRET, Hall, login
from tests.server.kiosk_payloads import envelope, rating
from tests.server.test_cli import SCRIPT, count, run


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("a", "at least 10"),
        ("short", "at least 10"),
        ("aaaaaaaaaaaaaaaa", "4 different"),
        ("1212121212121212", "4 different"),
        ("Password123", "first any guesser tries"),
        ("qwertyuiop", "first any guesser tries"),
        ("my name is newadmin", "must not contain the username"),
        ("x" * 150 + "abcdefghijklmnopqrstuvwxyz" * 3, "at most 200"),
    ],
    ids=[
        "one-char",
        "short",
        "one-char-repeated",
        "two-chars",
        "common",
        "keyboard",
        "name",
        "long",
    ],
)
def test_a_weak_password_is_refused(
    factory: sessionmaker[Session], settings: Settings, password: str, problem: str
) -> None:
    with factory.begin() as session, pytest.raises(users.UserError, match=problem):
        users.create_user(
            session,
            "newadmin",
            password,
            Role.ADMIN,
            None,
            datetime.now(UTC),
            users.hasher_for(settings),
        )


def test_the_cli_refuses_an_admin_password_of_one_letter(db_url: str) -> None:
    code, _, err = run(
        db_url, "user", "add", "root", "--role", "admin", "--password-stdin", stdin="a\n"
    )
    assert code == 2
    assert "at least 10 characters" in err


def test_a_disabled_user_can_neither_log_in_nor_use_a_token(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    auth = login(client, "super1")
    assert client.get("/api/v1/alerts", headers=auth).status_code == 200
    with factory.begin() as session:
        users.disable_user(session, "super1")
    response = client.get("/api/v1/alerts", headers=auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    refused = client.post("/api/v1/auth/login", json={"username": "super1", "password": PASSWORD})
    assert refused.status_code == 401
    with factory.begin() as session:
        users.enable_user(session, "super1")
    assert client.get("/api/v1/alerts", headers=auth).status_code == 401  # stays void
    assert client.get("/api/v1/alerts", headers=login(client, "super1")).status_code == 200


def test_revoking_a_users_tokens_voids_every_one_issued_before(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    laptop, phone = login(client, "admin"), login(client, "admin")
    with factory.begin() as session:
        users.revoke_user_tokens(session, "admin")
    assert client.get("/api/v1/alerts", headers=laptop).status_code == 401
    assert client.get("/api/v1/alerts", headers=phone).status_code == 401
    assert client.get("/api/v1/alerts", headers=login(client, "admin")).status_code == 200
    # Another user's tokens are untouched.
    assert client.get("/api/v1/alerts", headers=login(client, "auditor")).status_code == 200


def test_a_new_password_voids_old_tokens_and_the_old_password(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    old = login(client, "auditor")
    with factory.begin() as session:
        users.set_password(session, "auditor", "a whole new passphrase", users.hasher_for(settings))
    assert client.get("/api/v1/alerts", headers=old).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "auditor", "password": PASSWORD}
        ).status_code
        == 401
    )
    fresh = client.post(
        "/api/v1/auth/login",
        json={"username": "auditor", "password": "a whole new passphrase"},
    )
    assert fresh.status_code == 200


def _forge(uid: int, generation: int, expires: datetime, secret: str = SECRET) -> str:
    """A token made by someone holding the secret key, claiming what they like."""
    key = hashlib.sha256(f"hallrate-login-token:{secret}".encode()).hexdigest()
    claims = {"uid": uid, "gen": generation, "exp": int(expires.timestamp())}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
    return f"u2.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_token_claiming_a_far_future_expiry_is_refused(client: TestClient, hall: Hall) -> None:
    now = datetime.now(UTC)
    within = _forge(1, 0, now + timedelta(hours=11))
    assert (
        client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {within}"}).status_code
        == 200
    )
    for expires in (now + timedelta(days=3650), now + timedelta(hours=13)):
        token = _forge(1, 0, expires)
        response = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, expires


def test_a_token_of_the_old_unversioned_format_is_refused(client: TestClient, hall: Hall) -> None:
    payload = base64.urlsafe_b64encode(b'{"uid": 1, "exp": 99999999999}').rstrip(b"=").decode()
    mac = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    token = f"u1.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert (
        client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_the_cli_disables_a_user_and_revokes_tokens(
    client: TestClient, hall: Hall, db_url: str
) -> None:
    auth = login(client, "super2")
    code, out, _ = run(db_url, "user", "revoke-tokens", "super2")
    assert (code, "revoked" in out) == (0, True)
    assert client.get("/api/v1/alerts", headers=auth).status_code == 401
    auth = login(client, "super2")
    code, out, _ = run(db_url, "user", "disable", "super2")
    assert (code, "disabled" in out) == (0, True)
    assert client.get("/api/v1/alerts", headers=auth).status_code == 401
    code, _, err = run(db_url, "user", "disable", "nobody")
    assert code == 2
    assert "no user 'nobody'" in err
    code, _, err = run(db_url, "user", "set-password", "super2", "--password-stdin", stdin="a\n")
    assert code == 2
    assert "at least 10" in err


def test_a_revoked_device_can_no_longer_sync(client: TestClient, hall: Hall, db_url: str) -> None:
    assert (
        client.post("/api/v1/sync", json=envelope([rating()]), headers=hall.auth).status_code == 200
    )
    code, out, _ = run(db_url, "device", "revoke", hall.device_id)
    assert code == 0, out
    response = client.post("/api/v1/sync", json=envelope([rating(seq=2)]), headers=hall.auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "device_revoked"
    code, _, err = run(db_url, "device", "revoke", "no-such-device")
    assert code == 2
    assert "no device" in err


@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_enroll_code_into_a_closed_pipe_ends_without_a_traceback(db_url: str, reader: str) -> None:
    # `true` exits before the command writes: every write meets a closed pipe.
    run(db_url, "hall", "add", "h1", "--name", "Hall")
    run(db_url, "counter", "add", "c1", "--hall", "h1", "--name", "C1")
    result = subprocess.run(
        f"'{SCRIPT}' --database-url '{db_url}' enroll-code --counter c1 | {reader}",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert "BrokenPipe" not in result.stderr
    assert result.stderr == ""
    if reader.startswith("head"):
        assert result.stdout.startswith("enrollment code for counter c1:")
    assert count(db_url, EnrollmentCode) == 1
