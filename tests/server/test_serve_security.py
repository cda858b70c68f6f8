"""`hallrate-server serve` as deployed: no start without a real secret, a loud development
mode, a generated secret file, trusted proxies, a closed /metrics and an access log with
no tokens in it. Each test runs the real command."""

from __future__ import annotations

import http.client
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from server.cli import main
from tests.server.conftest import SECRET
from tests.server.test_cli import SCRIPT, run
from tests.server.test_server_process import wait_until_healthy
from tests.support.pgcluster import free_port

# `make test` only, not the quick lane: starts the real server process for each case.
pytestmark = pytest.mark.slow

CHEAP_HASHING = {"HALLRATE_PASSWORD_TIME_COST": "1", "HALLRATE_PASSWORD_MEMORY_KIB": "64"}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLRATE_")}
    env.update(CHEAP_HASHING)
    env.update(extra)
    return env


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    assert main(["--database-url", url, "init"]) == 0
    return url


def _serve(url: str, env: dict[str, str], *extra: str, port: int | None = None) -> list[str]:
    return [
        SCRIPT,
        "--database-url",
        url,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port or free_port()),
        *extra,
    ]


@contextmanager
def serving(
    url: str, env: dict[str, str], log: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            _serve(url, env, *extra, port=port), stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, 30)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "no secret key"),
        ({"HALLRATE_ENVIRONMENT": "production"}, "no secret key"),
        (
            {"HALLRATE_SECRET_KEY": "replace-with-a-long-random-secret"},
            "looks like a placeholder",
        ),
        ({"HALLRATE_SECRET_KEY": "development-only-secret-do-not-deploy"}, "published"),
        ({"HALLRATE_SECRET_KEY": "Zq8mN3vR7tK1"}, "at least 32"),
        ({"HALLRATE_SECRET_KEY": "ab" * 20}, "too few distinct"),
        ({"HALLRATE_ENVIRONMENT": "test", "HALLRATE_SECRET_KEY": "change-me" * 5}, "placeholder"),
    ],
    ids=["nothing", "production", "readme-placeholder", "dev-secret", "short", "repeated", "test"],
)
def test_serve_refuses_to_start_without_a_real_secret(
    sqlite_db: str, env: dict[str, str], reason: str
) -> None:
    result = subprocess.run(
        _serve(sqlite_db, _clean_env(**env)),
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(**env),
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hallrate-server: error: ")
    assert reason in lines[0]


def test_development_mode_starts_with_a_warning(sqlite_db: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    env = _clean_env(HALLRATE_ENVIRONMENT="development")
    with serving(sqlite_db, env, log, "--no-access-log") as (base, _):
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    text = log.read_text()
    assert "WARNING: development mode" in text
    assert "secret published in the source" in text


def test_init_writes_a_secret_file_only_its_owner_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    secret_file = tmp_path / "secret.key"
    code, out, _ = run(url, "init", "--secret-file", str(secret_file))
    assert code == 0, out
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 43
    # It never overwrites a key, nor writes through a planted link.
    code, _, err = run(url, "init", "--secret-file", str(secret_file))
    assert code == 2
    assert "not overwriting" in err
    assert secret_file.read_text().strip() == secret
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "link.key").symlink_to(victim)
    code, _, err = run(url, "init", "--secret-file", str(tmp_path / "link.key"))
    assert code == 2
    assert victim.read_text() == "precious"
    # The server starts on it, in production.
    env = _clean_env(HALLRATE_SECRET_KEY_FILE=str(secret_file))
    with serving(url, env, tmp_path / "server.log", "--no-access-log") as (base, _):
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    assert "WARNING" not in (tmp_path / "server.log").read_text()


def test_the_access_log_holds_no_phone_token_or_receipt_code(
    sqlite_db: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    env = _clean_env(HALLRATE_SECRET_KEY=SECRET)
    token = "AQAAAABkZWFkYmVlZgBjMQ" + "x" * 22
    with serving(sqlite_db, env, log) as (base, _):
        requests.get(f"{base}/m/{token}", timeout=5)
        requests.get(f"{base}/r/K7QW2M9X?lang=en", timeout=5)
        requests.get(f"{base}/healthz", timeout=5)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text  # the access log is on
    assert '"GET /m/… HTTP/1.1" 404' in text
    assert token not in text
    assert "K7QW2M9X" not in text


def test_metrics_are_served_to_loopback_only_by_default(
    sqlite_db: str, tmp_path: Path, client: TestClient
) -> None:
    # The in-process client is no loopback address: refused.
    assert client.get("/metrics").status_code == 403
    env = _clean_env(HALLRATE_SECRET_KEY=SECRET)
    with serving(sqlite_db, env, tmp_path / "a.log", "--no-access-log") as (base, _):
        assert requests.get(f"{base}/metrics", timeout=5).status_code == 200
    env["HALLRATE_METRICS_ALLOW"] = "10.0.0.0/8"
    with serving(sqlite_db, env, tmp_path / "b.log", "--no-access-log") as (base, _):
        response = requests.get(f"{base}/metrics", timeout=5)
        assert response.status_code == 403
        assert "HALLRATE_METRICS_ALLOW" in response.json()["error"]["message"]


def _wrong_login(port: int, source: str, forwarded_for: str | None) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = json.dumps({"username": "nobody", "password": "wrong password"})
    connection.request("POST", "/api/v1/auth/login", body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_behind_a_trusted_remote_proxy_each_client_has_its_own_bucket(
    sqlite_db: str, tmp_path: Path
) -> None:
    """The proxy is 127.0.0.2 (not the default-trusted 127.0.0.1), as a reverse proxy on
    another machine would be."""
    env = _clean_env(
        HALLRATE_SECRET_KEY=SECRET,
        HALLRATE_TRUSTED_PROXIES="127.0.0.2",
        HALLRATE_ENROLL_FAILURES_PER_MINUTE="3",
    )
    with serving(sqlite_db, env, tmp_path / "server.log", "--no-access-log") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        # Ten citizens behind the proxy, one wrong password each: nobody is throttled.
        statuses = [_wrong_login(port, "127.0.0.2", f"198.51.100.{i}") for i in range(10)]
        assert statuses == [401] * 10
        # One client guessing through the proxy is throttled on its own address...
        statuses = [_wrong_login(port, "127.0.0.2", "203.0.113.7") for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        assert _wrong_login(port, "127.0.0.2", "203.0.113.8") == 401
        # ...and an untrusted peer cannot pick a bucket by sending the header itself.
        statuses = [_wrong_login(port, "127.0.0.3", f"192.0.2.{i}") for i in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
