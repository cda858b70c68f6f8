"""Retention on the kiosk: what the server confirmed is deleted once the retention period
has passed (comments are personal data); nothing unsent or dead is ever deleted, and the
seq numbering carries on after what was deleted."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import ConfigError, KioskConfig
from kiosk.device import enroll_device
from kiosk.store import Store
from kiosk.syncworker import SyncWorker
from tests.support.system import COUNTER, LiveServer

SCORES = dict.fromkeys(("attitude", "efficiency", "process", "environment", "overall"), 4)


def _rate(store: Store, comment: str, counter: str = "c1") -> str:
    return store.record_rating(counter_id=counter, scores=SCORES, comment=comment).id


def _left(path: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT r.seq, r.comment, o.state FROM ratings r JOIN outbox o ON o.item_id = r.id"
            " ORDER BY r.seq"
        ).fetchall()


def test_only_what_the_server_confirmed_before_the_cutoff_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    store = Store.open(path)
    try:
        old_sent = [_rate(store, f"confirmed long ago 1380013800{i}") for i in range(2)]
        dead = _rate(store, "refused by the server")
        waiting = _rate(store, "never sent yet")
        store.mark_outbox(old_sent, "delivered")
        store.mark_outbox([dead], "dead", error="conflict")
        time.sleep(0.01)
        cutoff = datetime.now().astimezone()
        time.sleep(0.01)
        recent = _rate(store, "confirmed just now")
        store.mark_outbox([recent], "delivered")

        purged = store.purge_confirmed(cutoff)

        assert (purged.ratings, purged.sessions) == (2, 0)
        assert _left(path) == [
            (3, "refused by the server", "dead"),
            (4, "never sent yet", "pending"),
            (5, "confirmed just now", "delivered"),
        ]
        assert store.pending_count() == 1
        assert waiting  # still queued, untouched
        # The highest seq deleted is not handed out again.
        store.purge_confirmed(datetime.now().astimezone() + timedelta(seconds=1))
        assert [seq for seq, _, _ in _left(path)] == [3, 4]
        assert store.record_rating(counter_id="c1", scores=SCORES).seq == 6
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Overwritten, not only unlinked: the file no longer holds the deleted comments.
    assert b"13800138000" not in path.read_bytes()
    assert b"confirmed just now" not in path.read_bytes()


def test_deleting_everything_confirmed_keeps_the_numbering(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "kiosk.sqlite")
    try:
        ids = [_rate(store, "") for _ in range(3)]
        store.mark_outbox(ids, "delivered")
        assert (
            store.purge_confirmed(datetime.now().astimezone() + timedelta(seconds=1)).ratings == 3
        )
        assert store.record_rating(counter_id="c1", scores=SCORES).seq == 4
    finally:
        store.close()
    reopened = Store.open(tmp_path / "kiosk.sqlite")
    try:
        assert reopened.record_rating(counter_id="c1", scores=SCORES).seq == 5
    finally:
        reopened.close()


def test_the_sync_worker_deletes_confirmed_ratings_past_the_retention_period(
    tmp_path: Path, live_server: LiveServer
) -> None:
    path = tmp_path / "kiosk.sqlite"
    store = Store.open(path)
    try:
        enroll_device(store, live_server.url, live_server.enroll_code())
        for i in range(3):
            _rate(store, f"comment {i}", COUNTER)
        SyncWorker(store, retention_days=30).run(True)
        # Delivered just now: inside the retention period, kept.
        assert [state for _, _, state in _left(path)] == ["delivered"] * 3
        assert len(live_server.ratings()) == 3
        with sqlite3.connect(path) as db:  # as if confirmed 31 days ago
            db.execute("UPDATE outbox SET updated_ts = updated_ts - 31 * 86400")
        _rate(store, "the next citizen", COUNTER)
        SyncWorker(store, retention_days=30).run(True)
        assert _left(path) == [(4, "the next citizen", "delivered")]
        assert len(live_server.ratings()) == 4
    finally:
        store.close()


def test_the_retention_period_is_a_setting_with_a_floor() -> None:
    assert KioskConfig().retention_days == 90
    assert KioskConfig().with_overrides({"retention_days": 30}).retention_days == 30
    with pytest.raises(ConfigError, match="retention_days must be 7–3660"):
        KioskConfig().with_overrides({"retention_days": 3})
    with pytest.raises(ConfigError, match="retention_days must be a int"):
        KioskConfig().with_overrides({"retention_days": "forever"})
