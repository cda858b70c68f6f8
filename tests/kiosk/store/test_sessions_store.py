"""Service sessions in the kiosk store: start, finish, the session awaiting its rating,
the outbox carrying the latest copy, and kill -9 at any step losing nothing."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.store import SessionError, Store
from sync.client import OutboxUpdate
from sync.protocol import Outcome
from tests.support.crash import SESSION_COUNTER, reconcile_sessions, run_cycles

FIVES = dict.fromkeys(("attitude", "efficiency", "process", "environment", "overall"), 5)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "kiosk.sqlite")


def outbox(store: Store) -> list[tuple[str, str, dict[str, object]]]:
    with closing(sqlite3.connect(store.path)) as conn:
        return [
            (kind, state, json.loads(payload))
            for kind, state, payload in conn.execute(
                "SELECT kind, state, payload FROM outbox ORDER BY position"
            )
        ]


def test_a_started_session_is_queued_and_its_finish_replaces_the_queued_copy(
    store: Store,
) -> None:
    started = store.start_session(
        counter_id="c01", staff_id="s-001", ticket="A017", matter_code="A01"
    )
    assert store.open_session("c01") == started
    [(kind, state, payload)] = outbox(store)
    assert (kind, state, payload["ended_at"], payload["ticket"]) == (
        "session",
        "pending",
        None,
        "A017",
    )

    ended = store.finish_session(started.id, Outcome.REFERRED)
    assert store.open_session("c01") is None
    [(_, state, payload)] = outbox(store)
    assert state == "pending"
    assert payload["outcome"] == "referred"
    assert payload["finished_in_one_visit"] is False
    assert datetime.fromisoformat(str(payload["ended_at"])) == ended.ended_at


def test_a_finish_while_the_opening_copy_is_in_flight_is_sent_after_its_answer(
    store: Store,
) -> None:
    started = store.start_session(counter_id="c01", staff_id="s-001")
    store.mark_outbox([started.id], "in_flight", batch_id="b1")
    store.finish_session(started.id, Outcome.ONE_VISIT)
    # The answer for the opening copy arrives: it must not mark the ended copy delivered.
    store.apply_sync(OutboxUpdate(moves=[([started.id], "delivered", None)]))
    [entry] = store.pending_outbox()
    assert json.loads(entry.payload)["outcome"] == "one_visit"


def test_a_second_session_cannot_start_while_one_is_open(store: Store) -> None:
    first = store.start_session(counter_id="c01", staff_id="s-001")
    with pytest.raises(SessionError) as refused:
        store.start_session(counter_id="c01", staff_id="s-001")
    assert refused.value.reason == "open"
    store.finish_session(first.id, Outcome.CANCELLED)
    store.start_session(counter_id="c01", staff_id="s-001")


@pytest.mark.parametrize(
    ("session_id", "reason"),
    [("0190a000-0000-7000-8000-00000000dead", "not_found"), (None, "ended")],
)
def test_finishing_an_unknown_or_ended_session_says_which(
    store: Store, session_id: str | None, reason: str
) -> None:
    done = store.start_session(counter_id="c01", staff_id="s-001")
    store.finish_session(done.id, Outcome.ONE_VISIT)
    with pytest.raises(SessionError) as refused:
        store.finish_session(session_id or done.id, Outcome.ONE_VISIT)
    assert refused.value.reason == reason


def test_the_session_awaiting_a_rating_is_the_last_served_and_unrated_one(store: Store) -> None:
    since = datetime.now().astimezone() - timedelta(minutes=5)
    served = store.start_session(counter_id="c01", staff_id="s-001")
    store.finish_session(served.id, Outcome.ONE_VISIT)
    assert store.session_awaiting_rating("c01", since) is not None
    store.record_rating(counter_id="c01", scores=FIVES, session_id=served.id)
    assert store.session_awaiting_rating("c01", since) is None
    cancelled = store.start_session(counter_id="c01", staff_id="s-001")
    store.finish_session(cancelled.id, Outcome.CANCELLED)
    assert store.session_awaiting_rating("c01", since) is None  # nothing was served


@pytest.mark.slow
def test_kill9_between_start_finish_and_rating_loses_no_session_and_no_rating(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kiosk.sqlite"
    report = run_cycles(path, cycles=25, seed=20261203, max_delay_s=0.3, mode="sessions")
    started = {line.split()[1] for line in report.printed if line.startswith("S ")}
    finished = {line.split()[1] for line in report.printed if line.startswith("F ")}
    rated = {line.split()[1]: line.split()[2] for line in report.printed if line.startswith("R ")}
    assert len(rated) > 25, "the child should serve citizens between kills"

    store = Store.open(path)  # the last restart, as the kiosk would do it
    try:
        reconcile_sessions(store)
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            sessions = dict(conn.execute("SELECT id, ended_at FROM service_sessions"))
            ratings = list(conn.execute("SELECT session_id, id FROM ratings"))
            queued = {
                item: json.loads(payload)
                for item, payload in conn.execute(
                    "SELECT item_id, payload FROM outbox WHERE kind = 'session'"
                )
            }
    finally:
        store.close()
    assert started <= set(sessions), "a session the kiosk said it started was lost"
    assert finished <= {sid for sid, end in sessions.items() if end}
    assert all(end is not None for end in sessions.values()), "a session was left open"
    by_session: dict[str, list[str]] = {}
    for sid, rid in ratings:
        by_session.setdefault(sid, []).append(rid)
    assert all(len(rids) == 1 for rids in by_session.values()), "a session was rated twice"
    assert set(by_session) == set(sessions), "a served session was left without its rating"
    assert all(by_session[sid] == [rid] for sid, rid in rated.items())
    # Each session queued once, as its ended copy.
    assert set(queued) == set(sessions)
    assert all(copy["outcome"] == "one_visit" for copy in queued.values())
    assert SESSION_COUNTER == "c01"


def test_a_usb_bundle_carries_ended_sessions_only(store: Store, tmp_path: Path) -> None:
    from kiosk.device import DEVICE_KEY
    from kiosk.offline import export_bundle

    store.set_setting(DEVICE_KEY, {"device_id": "d1", "counter": {"id": "c01"}, "token": "t" * 40})
    ended = store.start_session(counter_id="c01", staff_id="s-001")
    store.finish_session(ended.id, Outcome.ONE_VISIT)
    under_way = store.start_session(counter_id="c01", staff_id="s-001")
    usb = tmp_path / "usb"
    usb.mkdir()
    path, count = export_bundle(store, usb)
    assert count == 1
    document = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(document)
    assert ended.id in text
    assert under_way.id not in text
