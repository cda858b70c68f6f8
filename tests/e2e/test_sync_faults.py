"""Every rating reaches the server exactly once, whatever the network and the processes do.

A real server process, a real kiosk store, and between them a proxy that fails on command.
Each test ends with the same invariant: the server holds exactly the kiosk's ratings, each
once, with no `seq` gap.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.device import client_factory, enrolled_device
from kiosk.store import Store
from sync import client as sync_client
from sync.client import SyncClient
from sync.scoring import DIMENSION_CODES
from tests.e2e.conftest import (
    LiveServer,
    assert_server_holds_exactly_the_kiosk_ratings,
    drain,
)
from tests.support.proxy import FaultProxy


def record(store: Store, n: int, *, low: bool = False) -> list[str]:
    rng = random.Random(n)
    ids = []
    for _ in range(n):
        scores = {code: 1 if low else rng.randint(3, 5) for code in DIMENSION_CODES}
        ids.append(store.record_rating(counter_id="c01", scores=scores, comment="窗口服务").id)
    return ids


def make_client(store: Store, **kwargs: object) -> SyncClient:
    device = enrolled_device(store)
    assert device is not None
    return SyncClient(store, device, **kwargs)  # type: ignore[arg-type]


def test_ratings_reach_the_server_and_scores_come_back(
    kiosk_store: Store, live_server: LiveServer
) -> None:
    record(kiosk_store, 30)
    record(kiosk_store, 1, low=True)
    client = client_factory(kiosk_store)
    assert client is not None
    result = client.run_once()
    assert (result.state, result.delivered) == ("delivered", 31)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)
    scores = kiosk_store.server_scores("c01")
    assert scores is not None
    assert scores[0].today.count == 31
    alerts = kiosk_store.server_alerts("c01")
    assert [a.kind for a in alerts] == ["low_score"]


@pytest.mark.parametrize(
    ("faults", "expect_state"),
    [
        (["reset"], "failed"),  # connection reset in mid-request
        (["drop_response"], "failed"),  # the server committed, the answer was lost
        (["html200"], "failed"),  # a captive portal's 200 page acknowledges nothing
        (["status:500", "status:502", "status:503"], "failed"),
        (["status:429:7"], "failed"),
        (["status:413"], "failed"),
    ],
)
def test_a_fault_delivers_nothing_and_the_retry_delivers_everything_once(
    kiosk_store: Store,
    live_server: LiveServer,
    proxy: FaultProxy,
    faults: list[str],
    expect_state: str,
) -> None:
    record(kiosk_store, 40)
    client = make_client(kiosk_store)
    proxy.then(faults)
    first = client.run_once(force=True)
    assert first.state == expect_state
    assert first.delivered == 0
    assert kiosk_store.status().pending == 40, "nothing may count as delivered on a fault"
    drain(client)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_a_lost_answer_is_followed_by_duplicates_not_double_counting(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy
) -> None:
    record(kiosk_store, 25)
    client = make_client(kiosk_store)
    proxy.then(["drop_response"])
    client.run_once(force=True)
    assert len(live_server.ratings()) == 25, "the server committed before the answer was lost"
    again = client.run_once(force=True)
    assert (again.state, again.delivered) == ("delivered", 25)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_retry_after_is_obeyed_and_the_next_attempt_survives_a_restart(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy
) -> None:
    record(kiosk_store, 5)
    now = [1_000_000.0]
    client = make_client(kiosk_store, clock=lambda: now[0], rng=lambda: 0.0)
    proxy.then(["status:429:30"])
    failed = client.run_once()
    assert failed.next_attempt_ts == pytest.approx(now[0] + 30)
    # a restarted kiosk reads the stored next attempt and waits too
    reopened = Store.open(kiosk_store.path)
    try:
        later = make_client(reopened, clock=lambda: now[0] + 29, rng=lambda: 0.0)
        assert later.run_once().state == "waiting"
        due = make_client(reopened, clock=lambda: now[0] + 31, rng=lambda: 0.0)
        assert due.run_once().state == "delivered"
    finally:
        reopened.close()
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_413_halves_the_batch_until_the_server_takes_it(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy
) -> None:
    record(kiosk_store, 120)
    client = make_client(kiosk_store)
    proxy.then(["status:413", "status:413"])
    client.run_once(force=True)
    client.run_once(force=True)
    assert kiosk_store.get_setting(sync_client.BATCH_LIMIT) == 30  # 120 -> 60 -> 30
    drain(client)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_a_trickling_answer_is_abandoned_at_the_deadline_and_retried(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy
) -> None:
    record(kiosk_store, 10)
    client = make_client(kiosk_store, deadline_s=1.0)
    proxy.trickle_delay_s = 0.02
    proxy.then(["trickle"])
    started = time.monotonic()
    result = client.run_once(force=True)
    assert result.state == "failed"
    assert result.error == "network: TimeoutError"
    assert time.monotonic() - started < 10
    drain(client)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_an_outage_over_many_cycles_loses_nothing(
    kiosk_store: Store, live_server: LiveServer
) -> None:
    client = make_client(kiosk_store, timeout=(1.0, 5.0))
    record(kiosk_store, 10)
    assert client.run_once().state == "delivered"
    live_server.stop()
    for _ in range(8):  # the hall keeps rating while the server is away
        record(kiosk_store, 15)
        assert client.run_once(force=True).state == "failed"
    assert kiosk_store.status().pending == 120
    live_server.start()
    drain(client)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_a_server_killed_mid_batch_and_restarted_loses_nothing(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy
) -> None:
    record(kiosk_store, 500)
    client = make_client(kiosk_store, timeout=(1.0, 10.0))
    proxy.throttle(bits_per_s=400_000, rtt_s=0.2)  # so the kill lands inside the request
    outcome: list[sync_client.SyncResult] = []
    worker = threading.Thread(target=lambda: outcome.append(client.run_once(force=True)))
    worker.start()
    time.sleep(0.3)  # the upload takes over a second at this rate
    live_server.kill()
    worker.join(timeout=60)
    assert outcome
    assert outcome[0].state == "failed"
    proxy.throttle(None)
    live_server.start()
    drain(client)
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


SYNC_CHILD = textwrap.dedent(
    """
    import sys
    from kiosk.device import client_factory
    from kiosk.store import Store
    store = Store.open(sys.argv[1])
    client = client_factory(store)
    print("syncing", flush=True)
    while True:
        client.run_once(force=True)
    """
)


def test_a_kiosk_killed_mid_sync_requeues_and_delivers_once(
    kiosk_store: Store, live_server: LiveServer, proxy: FaultProxy, tmp_path: Path
) -> None:
    record(kiosk_store, 1500)
    proxy.throttle(bits_per_s=2_000_000, rtt_s=0.1)
    for attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", SYNC_CHILD, str(kiosk_store.path)], stdout=subprocess.PIPE
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"syncing"
        time.sleep(0.4 + 0.3 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    proxy.throttle(None)
    # start-up after the crash: what was in flight goes back to pending
    kiosk_store.requeue_in_flight()
    drain(make_client(kiosk_store))
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)


def test_a_rejected_rating_becomes_a_dead_letter_and_the_rest_go_through(
    kiosk_store: Store, live_server: LiveServer
) -> None:
    record(kiosk_store, 3)
    # another device's counter: the server must refuse it, the kiosk must keep it
    entry = kiosk_store.pending_outbox()[1]
    forged = json.loads(entry.payload)
    forged["counter_id"] = "c99"
    with kiosk_store._writer.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET payload = ? WHERE item_id = ?", (json.dumps(forged), entry.item_id)
        )
    result = make_client(kiosk_store).run_once()
    assert (result.delivered, result.dead) == (2, 1)
    status = kiosk_store.status()
    assert status.dead == 1
    assert status.last_error is not None
    assert status.last_error.startswith("rejected")
    assert make_client(kiosk_store).run_once(force=True).state == "idle", "never retried"


def test_an_idle_kiosk_asks_for_fresh_scores_once_a_minute(
    kiosk_store: Store, live_server: LiveServer
) -> None:
    now = [2_000_000.0]
    client = make_client(kiosk_store, clock=lambda: now[0])
    first = client.run_once()
    assert (first.state, first.sent) == ("delivered", 0)
    kept = kiosk_store.server_scores("c01")
    assert kept is not None
    assert kept[0].today.count == 0
    assert client.run_once().state == "idle", "no second empty batch within the minute"
    now[0] += sync_client.REFRESH_S + 1
    assert client.run_once().state == "delivered"


def test_fleet_health_shows_how_long_the_oldest_undelivered_rating_has_waited(
    kiosk_store: Store, live_server: LiveServer
) -> None:
    three_days_ago = datetime.now().astimezone() - timedelta(days=3)
    record(kiosk_store, 1)
    kiosk_store.record_rating(
        counter_id="c01", scores=dict.fromkeys(DIMENSION_CODES, 4), created_at=three_days_ago
    )
    record(kiosk_store, 1)
    kiosk_store.set_setting(sync_client.BATCH_LIMIT, 1)
    client = make_client(kiosk_store)
    device_id = kiosk_store.get_setting("device")["device_id"]

    assert client.run_once().delivered == 1
    health = live_server.device_health(device_id)
    assert health["queue_depth"] == 3, "the queue as it stood when the batch left"
    # The first batch carried the first rating; the one made three days ago waits behind it.
    oldest = health["oldest_pending_at"]
    oldest = datetime.fromisoformat(oldest) if isinstance(oldest, str) else oldest
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    assert abs(oldest - three_days_ago) < timedelta(seconds=5)
    listing = live_server.cli("devices")
    assert "3d" in listing, listing

    drain(client)
    assert live_server.device_health(device_id)["oldest_pending_at"] is None, (
        "the batch that emptied the queue left nothing waiting"
    )
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)
