"""Logins under load, through the real server on SQLite with real argon2 costs: hashing
holds no database lock (a sync is not kept waiting), and a worker hashes a bounded number
of passwords at once, answering 429 with Retry-After beyond that."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server.conftest import SECRET
from tests.server.kiosk_payloads import envelope, rating
from tests.server.test_cli import run
from tests.server.test_serve_security import _clean_env, serving

# `make test` only, not the quick lane: real server processes under parallel argon2 load.
pytestmark = pytest.mark.slow

PASSWORD = "a long and slow passphrase"
#: About 1–2 s per hash on this project's 2-core machine.
SLOW_HASHING = {"HALLRATE_PASSWORD_TIME_COST": "40", "HALLRATE_PASSWORD_MEMORY_KIB": "65536"}


@pytest.fixture
def slow_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    for key, value in SLOW_HASHING.items():
        monkeypatch.setenv(key, value)
    run(url, "init")
    run(url, "hall", "add", "h1", "--name", "Hall")
    run(url, "counter", "add", "c1", "--hall", "h1", "--name", "C1")
    for name in ("alice", "bob", "carol", "dave"):
        code, _, err = run(
            url, "user", "add", name, "--role", "auditor", "--password-stdin", stdin=PASSWORD
        )
        assert code == 0, err
    code_line = run(url, "enroll-code", "--counter", "c1", "--no-qr")[1].splitlines()[0]
    env = _clean_env(HALLRATE_SECRET_KEY=SECRET, **SLOW_HASHING)
    env["HALLRATE_MAX_CONCURRENT_PASSWORD_HASHES"] = str(request.param)
    with serving(url, env, tmp_path / "server.log", "--no-access-log") as (base, _):
        enrolled = requests.post(
            f"{base}/api/v1/enroll",
            json={"code": code_line.split(": ")[1], "app_version": "1"},
            timeout=10,
        ).json()
        yield base, {"Authorization": f"Bearer {enrolled['token']}"}


def _login(base: str, name: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/auth/login", json={"username": name, "password": PASSWORD}, timeout=30
    )


@pytest.mark.parametrize("slow_server", [2], indirect=True)
def test_a_sync_does_not_wait_for_logins_being_hashed(
    slow_server: tuple[str, dict[str, str]],
) -> None:
    base, device = slow_server
    answers: list[int] = []
    logins = [
        threading.Thread(target=lambda n=name: answers.append(_login(base, n).status_code))
        for name in ("alice", "bob")
    ]
    started = time.monotonic()
    for thread in logins:
        thread.start()
    # Let both logins reach their hashing (over a second each); nothing signals that.
    time.sleep(0.3)
    sent = time.monotonic()
    synced = requests.post(f"{base}/api/v1/sync", json=envelope([rating()]), headers=device)
    sync_s = time.monotonic() - sent
    for thread in logins:
        thread.join(30)
    logins_s = time.monotonic() - started
    assert synced.status_code == 200
    assert answers == [200, 200]
    # The logins took the better part of a second or more; the sync did not queue behind
    # them (before, it waited for both hashes and took most of `logins_s`).
    assert logins_s > 1.0
    assert sync_s < min(0.5, logins_s / 3), (
        f"sync took {sync_s:.2f} s while logins hashed ({logins_s:.2f} s)"
    )


@pytest.mark.parametrize("slow_server", [1], indirect=True)
def test_logins_beyond_the_hashing_bound_get_429_with_retry_after(
    slow_server: tuple[str, dict[str, str]],
) -> None:
    base, _ = slow_server
    barrier = threading.Barrier(4)
    responses: dict[str, requests.Response] = {}

    def one(name: str) -> None:
        barrier.wait()
        responses[name] = _login(base, name)

    threads = [threading.Thread(target=one, args=(n,)) for n in ("alice", "bob", "carol", "dave")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(r.status_code for r in responses.values())
    assert statuses[0] == 200
    assert 429 in statuses
    assert set(statuses) <= {200, 429}
    for response in responses.values():
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.json()["error"]["code"] == "too_many_requests"
    # Told to come back, they can: a 429 for load is no failed login.
    refused = [name for name, r in responses.items() if r.status_code == 429]
    assert _login(base, refused[0]).status_code == 200
