"""Whole-system fixtures: the real server process on loopback, the fault proxy, a kiosk store."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import requests

from bench._pgcluster import free_port
from bench._proxy import FaultProxy
from kiosk.device import enroll_device
from kiosk.store import Store
from server.cli import main as server_cli
from sync.client import SyncClient

SERVER = str(Path(sys.executable).parent / "hallrate-server")
SECRET = "e2e-secret-0123456789abcdef"
COUNTER = "c01"


class LiveServer:
    """`hallrate-server serve` on a SQLite file, which tests stop, kill and restart."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db_path = root / "server.sqlite"
        self.db_url = f"sqlite:///{self.db_path}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, HALLRATE_ENVIRONMENT="test", HALLRATE_SECRET_KEY=SECRET)
        self.process: subprocess.Popen[bytes] | None = None
        self.cli("init")
        self.cli("hall", "add", "h1", "--name", "示范政务服务大厅")
        self.cli("counter", "add", COUNTER, "--hall", "h1", "--name", "1号窗口")

    def cli(self, *args: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()) as err:
            code = server_cli(["--database-url", self.db_url, *args])
        assert code == 0, f"hallrate-server {' '.join(args)} failed: {err.getvalue()}"
        return out.getvalue()

    def enroll_code(self, counter: str = COUNTER) -> str:
        found = re.search(
            rf"counter {counter}: (\S+)", self.cli("enroll-code", "--counter", counter, "--no-qr")
        )
        assert found is not None
        return found.group(1)

    def start(self) -> None:
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                SERVER,
                "--database-url",
                self.db_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)  # polling a socket: there is no signal to await
        raise AssertionError("server did not become healthy in 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def ratings(self, device_id: str | None = None) -> list[tuple[str, int]]:
        query = "SELECT id, seq FROM ratings"
        params: tuple[str, ...] = ()
        if device_id is not None:
            query += " WHERE device_id = ?"
            params = (device_id,)
        with closing(sqlite3.connect(self.db_path)) as conn:
            return [(r[0], r[1]) for r in conn.execute(query, params)]

    def device_gaps(self, device_id: str | None = None) -> list[object]:
        query = "SELECT seq_gaps FROM devices"
        params: tuple[str, ...] = ()
        if device_id is not None:
            query += " WHERE id = ?"
            params = (device_id,)
        with closing(sqlite3.connect(self.db_path)) as conn:
            return [r[0] for r in conn.execute(query, params)]


def kiosk_ratings(store: Store) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(store.path)) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT id, seq FROM ratings")]


def assert_server_holds_exactly_the_kiosk_ratings(store: Store, server: LiveServer) -> None:
    """The invariant: same set of ratings on both ends, each once, seq without a gap."""
    device_id = store.get_setting("device")["device_id"]
    on_kiosk = kiosk_ratings(store)
    on_server = server.ratings(device_id)
    assert len(on_server) == len(set(on_server)), "a rating is on the server twice"
    assert sorted(on_server) == sorted(on_kiosk)
    assert sorted(seq for _, seq in on_server) == list(range(1, len(on_kiosk) + 1))
    assert server.device_gaps(device_id) == ["[]"], server.device_gaps(device_id)
    assert store.status().pending == 0
    assert store.status().in_flight == 0


def drain(client: SyncClient, rounds: int = 200) -> None:
    """Sync until nothing is pending (ignoring backoff: the faults are over)."""
    for _ in range(rounds):
        result = client.run_once(force=True)
        if result.state == "idle":
            return
    raise AssertionError(f"the queue did not drain in {rounds} rounds: {result}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[FaultProxy]:
    with FaultProxy(("127.0.0.1", live_server.port)) as fault_proxy:
        yield fault_proxy


@pytest.fixture
def kiosk_store(tmp_path: Path, live_server: LiveServer, proxy: FaultProxy) -> Iterator[Store]:
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    enroll_device(store, proxy.url, live_server.enroll_code())
    yield store
    store.close()
