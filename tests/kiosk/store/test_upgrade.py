"""Upgrades lose nothing: a kiosk store made by the first released version, full of ratings
that never reached the server, goes through every migration there is and still delivers.

The store is built the way the first release built it: Alembic stopped at the first
revision, rows written in that revision's shape (the columns below are frozen on purpose:
they are what kiosks in the field hold). The upgrade is what a new version does at start-up,
`Store.open()`, so a migration added later is walked by this test without changing it.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import uuid6
from alembic import command
from alembic.script import ScriptDirectory

from kiosk.device import DEVICE_KEY, client_factory
from kiosk.store import Store, database
from sync import protocol
from sync.enroll import enroll
from sync.scoring import DEFAULT_CONFIG, weighted_score
from tests.support.system import COUNTER, LiveServer

PENDING = 40


def revisions() -> list[str]:
    """Every kiosk store migration, oldest first."""
    script = ScriptDirectory(str(database.MIGRATIONS))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def build_at(path: Path, revision: str) -> None:
    """A store file migrated to `revision` and no further."""
    engine = database.make_engine(path, immediate=False)
    try:
        with engine.begin() as conn:
            command.upgrade(database._alembic_config(conn), revision)
    finally:
        engine.dispose()


def fill_first_release(path: Path, n: int, device: dict[str, object]) -> list[str]:
    """Queue `n` ratings as the first release's record_rating() stored them, plus the
    enrolled identity; return the ratings' ids in seq order."""
    start = datetime.now().astimezone() - timedelta(days=20)
    ids: list[str] = []
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)", (DEVICE_KEY, json.dumps(device))
        )
        for seq in range(1, n + 1):
            scores = {
                "attitude": 1 + seq % 5,
                "efficiency": 5,
                "process": 4,
                "environment": 3,
                "overall": 2 + seq % 4,
            }
            when = (start + timedelta(hours=seq)).isoformat(timespec="milliseconds")
            wire = protocol.Rating.model_validate(
                {
                    "id": str(uuid6.uuid7()),
                    "seq": seq,
                    "counter_id": COUNTER,
                    "staff_id": "s-007",
                    "created_at": when,
                    "scores": scores,
                    "reasons": ["efficiency.long_wait"] if scores["attitude"] < 3 else [],
                    "comment": "等了很久" if seq % 7 == 0 else "",
                    "content_version": DEFAULT_CONFIG.version,
                }
            )
            conn.execute(
                "INSERT INTO ratings (id, seq, counter_id, staff_id, session_id, created_at,"
                " created_ts, scores, weighted_score, reasons, comment, channel,"
                " content_version) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 'kiosk', ?)",
                (
                    wire.id,
                    seq,
                    COUNTER,
                    "s-007",
                    when,
                    wire.created_at.timestamp(),
                    json.dumps(scores),
                    str(weighted_score(scores)),
                    json.dumps(wire.reasons),
                    wire.comment,
                    wire.content_version,
                ),
            )
            payload = wire.model_dump_json()
            conn.execute(
                "INSERT INTO outbox (kind, item_id, state, payload, size, batch_id, attempts,"
                " error, updated_ts) VALUES ('rating', ?, 'pending', ?, ?, NULL, ?, ?, ?)",
                # some had failed attempts already: the hall was offline for weeks
                (
                    wire.id,
                    payload,
                    len(payload.encode()),
                    seq % 3,
                    "connection refused" if seq % 3 else None,
                    wire.created_at.timestamp(),
                ),
            )
            ids.append(wire.id)
    return ids


def outbox_states(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT item_id, state FROM outbox WHERE kind = 'rating'"))


def rating_rows(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT id, seq, counter_id, staff_id, created_at, scores, reasons, comment"
            " FROM ratings ORDER BY seq"
        ).fetchall()


def test_the_walk_covers_every_migration_and_ends_at_the_revision_the_store_expects() -> None:
    chain = revisions()
    assert chain[0] == "0001", "the first released kiosk schema is revision 0001"
    # Store.open() compares the file with SCHEMA_REVISION instead of loading Alembic: a
    # migration added without moving it would never run on a kiosk.
    assert chain[-1] == database.SCHEMA_REVISION
    script = ScriptDirectory(str(database.MIGRATIONS))
    assert script.get_heads() == [database.SCHEMA_REVISION], "one line of migrations"


def test_pending_ratings_from_the_first_release_survive_every_migration_and_sync(
    tmp_path: Path, live_server: LiveServer
) -> None:
    path = tmp_path / "kiosk" / "kiosk.sqlite"
    path.parent.mkdir()
    first = revisions()[0]
    build_at(path, first)
    assert database.current_revision(path) == first
    answer = enroll(live_server.url, live_server.enroll_code(), "0.1.0")
    device = {"server_url": live_server.url, **answer.model_dump(mode="json")}
    ids = fill_first_release(path, PENDING, device)
    before = rating_rows(path)

    store = Store.open(path)  # what the new version does at start-up
    try:
        assert database.current_revision(path) == database.SCHEMA_REVISION
        if first != database.SCHEMA_REVISION:
            # The file was copied aside before the first migration touched it.
            assert store.report.migrated_from == first
            assert store.report.backup is not None
            assert len(rating_rows(store.report.backup)) == PENDING
        assert rating_rows(path) == before, "a migration changed or lost a rating"
        assert outbox_states(path) == dict.fromkeys(ids, "pending")
        assert store.status().pending == PENDING
        assert [e.item_id for e in store.pending_outbox(max_items=PENDING)] == ids
        # The identity survived too: the kiosk syncs without enrolling again.
        assert store.get_setting(DEVICE_KEY)["device_id"] == answer.device_id

        # A rating made after the upgrade takes the next seq, after the old ones.
        newest = store.record_rating(
            counter_id=COUNTER,
            scores=dict.fromkeys(
                ("attitude", "efficiency", "process", "environment", "overall"), 5
            ),
        )
        assert newest.seq == PENDING + 1

        client = client_factory(store)
        assert client is not None
        for _ in range(20):
            if client.run_once(force=True).state == "idle":
                break
        assert store.status().pending == 0
        assert set(outbox_states(path).values()) == {"delivered"}
    finally:
        store.close()
    on_server = live_server.ratings(answer.device_id)
    expected = [(rating_id, seq) for seq, rating_id in enumerate(ids, start=1)]
    assert sorted(on_server) == sorted([*expected, (newest.id, PENDING + 1)])
    assert live_server.device_gaps(answer.device_id) == []
