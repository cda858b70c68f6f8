"""A real `hallrate-server serve` (uvicorn) on a loopback port, spoken to over HTTP."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.cli import main
from tests.server.conftest import SECRET
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating
from tests.server.test_cli import run
from tests.support.pgcluster import free_port

# `make test` only, not the quick lane: the real server process over HTTP.
pytestmark = pytest.mark.slow

SCRIPT = str(Path(sys.executable).parent / "hallrate-server")
COMMENT = "my phone is 13800138000, secret complaint text"


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)  # polling a socket: there is no signal to await
    raise AssertionError("server did not become healthy")


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    assert main(["--database-url", db_url, "init"]) == 0
    port = free_port()
    log = tmp_path / "server.log"
    env = dict(os.environ, HALLRATE_ENVIRONMENT="test", HALLRATE_SECRET_KEY=SECRET)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                SCRIPT,
                "--database-url",
                db_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, process, 30)
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_kiosk_enrolls_and_syncs_over_real_http(db_url: str, served: tuple[str, Path]) -> None:
    base, log = served
    run(db_url, "hall", "add", "h1", "--name", "Hall")
    run(db_url, "counter", "add", "c1", "--hall", "h1", "--name", "Counter 1")
    _, out, _ = run(db_url, "enroll-code", "--counter", "c1", "--no-qr")
    code = re.search(r"counter c1: (\S+)", out)
    assert code is not None
    enrolled = requests.post(
        f"{base}/api/v1/enroll", json={"code": code.group(1), "app_version": "1.0"}, timeout=10
    )
    assert enrolled.status_code == 200, enrolled.text
    token = enrolled.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    ratings = [rating(seq=1, scores=ALL_ONES, comment=COMMENT)] + [
        rating(seq=i) for i in range(2, 501)
    ]
    body = gzip.compress(json.dumps(envelope(ratings)).encode())
    headers = {**auth, "Content-Encoding": "gzip", "Content-Type": "application/json"}
    first = requests.post(f"{base}/api/v1/sync", data=body, headers=headers, timeout=30)
    assert first.status_code == 200, first.text
    assert set(first.json()["results"].values()) == {"accepted"}
    assert first.json()["counter_scores"]["today"]["count"] == 500
    assert [a["kind"] for a in first.json()["alerts"]] == ["low_score"]
    # A dropped response: the kiosk sends the same batch again.
    again = requests.post(f"{base}/api/v1/sync", data=body, headers=headers, timeout=30)
    assert set(again.json()["results"].values()) == {"duplicate"}
    assert again.json()["counter_scores"]["today"]["count"] == 500

    wrong = requests.post(
        f"{base}/api/v1/sync",
        data=body,
        headers={**headers, "Authorization": "Bearer nope"},
        timeout=10,
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_token"

    metrics = requests.get(f"{base}/metrics", timeout=10).text
    assert re.search(r'hallrate_sync_items_total\{result="accepted"\} 500\.0', metrics)
    assert re.search(r'hallrate_sync_items_total\{result="duplicate"\} 500\.0', metrics)
    assert "hallrate_request_seconds_bucket" in metrics
    assert requests.get(f"{base}/openapi.json", timeout=10).json()["paths"]["/api/v1/sync"]

    logged = log.read_text(errors="replace")
    assert "sync device=" in logged
    assert COMMENT not in logged
    assert "13800138000" not in logged
    assert token not in logged
    assert code.group(1) not in logged
