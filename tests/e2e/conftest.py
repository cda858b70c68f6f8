"""Whole-system fixtures: the real server process on loopback, the fault proxy, a kiosk store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from kiosk.device import enroll_device
from kiosk.store import Store
from sync.client import SyncClient
from tests.support.proxy import FaultProxy
from tests.support.system import LiveServer


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
    assert server.device_gaps(device_id) == []
    assert store.status().pending == 0
    assert store.status().in_flight == 0


def drain(client: SyncClient, rounds: int = 200) -> None:
    """Sync until nothing is pending (ignoring backoff: the faults are over). A 429 from
    the server's per-device sync limit is waited out: hammering it keeps its window full."""
    for _ in range(rounds):
        result = client.run_once(force=True)
        if result.state == "idle":
            return
        if result.status == 429:
            time.sleep(1.0)  # the limit counts syncs per second; no event marks its end
    raise AssertionError(f"the queue did not drain in {rounds} rounds: {result}")


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
