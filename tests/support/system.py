"""A whole system on loopback for tests and benchmarks: the real server process and a
kiosk store, enrolled and filled with ratings."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import uuid6
from sqlalchemy import text

from kiosk.store import Store
from kiosk.store import store as store_module
from server.cli import main as server_cli
from server.database import make_engine
from sync import protocol
from sync.scoring import DIMENSION_CODES, weighted_score
from tests.support.pgcluster import free_port

SERVER = str(Path(sys.executable).parent / "hallrate-server")
SECRET = "e2e-secret-0123456789abcdef"
COUNTER = "c01"


class LiveServer:
    """`hallrate-server serve` (SQLite file by default), which tests stop, kill and restart."""

    def __init__(self, root: Path, db_url: str | None = None, workers: int = 1) -> None:
        self.root = root
        self.db_path = root / "server.sqlite"
        self.db_url = db_url or f"sqlite:///{self.db_path}"
        self.workers = workers
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
                "--workers",
                str(self.workers),
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

    def _query(self, sql: str, **params: str) -> list[tuple[Any, ...]]:
        engine = make_engine(self.db_url, single_use=True)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def ratings(self, device_id: str | None = None) -> list[tuple[str, int]]:
        if device_id is None:
            rows = self._query("SELECT id, seq FROM ratings")
        else:
            rows = self._query("SELECT id, seq FROM ratings WHERE device_id = :d", d=device_id)
        return [(str(r[0]), int(r[1])) for r in rows]

    def device_health(self, device_id: str) -> dict[str, Any]:
        """What `hallrate-server devices` lists for one device, as the API gives it."""
        rows = self._query(
            "SELECT queue_depth, oldest_pending_at, last_contact_at FROM devices WHERE id = :d",
            d=device_id,
        )
        depth, oldest, contact = rows[0]
        return {"queue_depth": depth, "oldest_pending_at": oldest, "last_contact_at": contact}

    def device_gaps(self, device_id: str) -> list[Any]:
        """The seq ranges the server noted missing for the device."""
        rows = self._query("SELECT seq_gaps FROM devices WHERE id = :d", d=device_id)
        gaps = rows[0][0]
        return list(json.loads(gaps) if isinstance(gaps, str) else gaps)


def fill_store(store: Store, n: int, *, counter_id: str = "c01", days: int = 30) -> None:
    """Queue `n` ratings spread over `days`, as record_rating() would, in one transaction.

    A set-up step for benchmarks: 200,000 ratings one durable commit at a time would take
    minutes; the rows are the same.
    """
    rng = random.Random(n)
    start = datetime.now().astimezone() - timedelta(days=days)
    step = timedelta(days=days) / max(n, 1)
    with store._writer.begin() as conn:
        first = (conn.exec_driver_sql("SELECT max(seq) FROM ratings").scalar() or 0) + 1
        ratings, outbox = [], []
        for i in range(n):
            scores = {code: rng.choice((3, 4, 4, 5, 5, 5)) for code in DIMENSION_CODES}
            when = (start + step * i).isoformat(timespec="milliseconds")
            wire = protocol.Rating.model_validate(
                {
                    "id": str(uuid6.uuid7()),
                    "seq": first + i,
                    "counter_id": counter_id,
                    "staff_id": "s-007",
                    "created_at": when,
                    "scores": scores,
                    "content_version": store.config.version,
                }
            )
            payload = wire.model_dump_json()
            ratings.append(
                {
                    "id": wire.id,
                    "seq": wire.seq,
                    "counter_id": counter_id,
                    "staff_id": "s-007",
                    "session_id": None,
                    "created_at": when,
                    "created_ts": wire.created_at.timestamp(),
                    "scores": json.dumps(scores),
                    "weighted_score": str(weighted_score(scores)),
                    "reasons": "[]",
                    "comment": "",
                    "channel": "kiosk",
                    "content_version": wire.content_version,
                }
            )
            outbox.append(
                {
                    "kind": "rating",
                    "item_id": wire.id,
                    "state": "pending",
                    "payload": payload,
                    "size": len(payload),
                    "batch_id": None,
                    "attempts": 0,
                    "error": None,
                    "updated_ts": wire.created_at.timestamp(),
                }
            )
        conn.exec_driver_sql(store_module._INSERT_RATING, ratings)  # type: ignore[arg-type]
        conn.exec_driver_sql(store_module._INSERT_OUTBOX, outbox)  # type: ignore[arg-type]
