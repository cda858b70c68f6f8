"""The kiosk store: durable ratings with gapless seq, the outbox, typed errors, recovery."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import subprocess
import uuid
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.store import (
    InvalidRatingError,
    Store,
    StoreFullError,
    StoreReadOnlyError,
    database,
)
from sync import protocol

SCORES = {"attitude": 5, "efficiency": 4, "process": 3, "environment": 2, "overall": 1}


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_a_rating_is_stored_with_its_outbox_row_and_the_next_seq(store: Store) -> None:
    first = store.record_rating(
        counter_id="c-01",
        staff_id="s-7",
        scores=SCORES,
        reasons=["wait_long"],
        comment="等了很久",
    )
    second = store.record_rating(counter_id="c-01", scores={k: 5 for k in SCORES})
    assert (first.seq, second.seq) == (1, 2)
    assert str(first.weighted_score) == "3.35"

    stored = rows(store.path, "SELECT id, seq, staff_id, scores, reasons, comment FROM ratings")
    assert stored[0][0] == first.id
    assert stored[0][2:] == (
        "s-7",
        '{"attitude": 5, "efficiency": 4, "process": 3, "environment": 2, "overall": 1}',
        '["wait_long"]',
        "等了很久",
    )
    outbox = store.pending_outbox()
    assert [e.item_id for e in outbox] == [first.id, second.id]
    # the outbox holds the exact protocol v1 document the server will receive
    wire = protocol.Rating.model_validate_json(outbox[0].payload)
    assert wire.id == first.id
    assert wire.seq == 1
    assert wire.scores.attitude == 5
    assert wire.reasons == ["wait_long"]
    assert wire.content_version == store.config.version


def test_rating_ids_are_uuid7_and_sort_in_recording_order(store: Store) -> None:
    ids = [store.record_rating(counter_id="c-01", scores=SCORES).id for _ in range(50)]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert sorted(ids) == ids


def test_created_at_keeps_the_device_offset(store: Store) -> None:
    tz = datetime.now().astimezone().tzinfo
    when = datetime(2026, 11, 23, 9, 30, tzinfo=tz)
    rec = store.record_rating(counter_id="c-01", scores=SCORES, created_at=when)
    assert rec.created_at == when
    assert rows(store.path, "SELECT created_at FROM ratings")[0][0] == when.isoformat(
        timespec="milliseconds"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scores": {**SCORES, "overall": 6}}, "1–5"),
        ({"scores": {**SCORES, "overall": 2.5}}, "integer"),
        ({"scores": {k: v for k, v in SCORES.items() if k != "overall"}}, "missing overall"),
        ({"comment": "长" * 501}, "comment"),
        ({"reasons": ["Not A Code!"]}, "reasons"),
        ({"counter_id": ""}, "counter_id"),
    ],
)
def test_an_invalid_rating_is_refused_and_stores_nothing(
    store: Store, changes: dict[str, object], message: str
) -> None:
    store.record_rating(counter_id="c-01", scores=SCORES)
    kwargs: dict[str, object] = {"counter_id": "c-01", "scores": SCORES, **changes}
    with pytest.raises(InvalidRatingError, match=message):
        store.record_rating(**kwargs)  # type: ignore[arg-type]
    after = store.record_rating(counter_id="c-01", scores=SCORES)
    assert after.seq == 2, "a refused rating must not use up a seq"
    assert store.status().ratings == 2


def test_pending_outbox_is_oldest_first_and_bounded_by_count_and_bytes(store: Store) -> None:
    ids = [store.record_rating(counter_id="c-01", scores=SCORES).id for _ in range(30)]
    assert [e.item_id for e in store.pending_outbox(max_items=10)] == ids[:10]
    size = store.pending_outbox()[0].size
    bounded = store.pending_outbox(max_bytes=size * 7 + size // 2)
    assert [e.item_id for e in bounded] == ids[:7]
    # one item larger than the bound still goes, alone, so it never blocks the queue
    assert [e.item_id for e in store.pending_outbox(max_bytes=1)] == ids[:1]


def test_outbox_states_move_and_delivered_stays_delivered(store: Store) -> None:
    ids = [store.record_rating(counter_id="c-01", scores=SCORES).id for _ in range(4)]
    batch = str(uuid.uuid4())
    assert store.mark_outbox(ids[:3], "in_flight", batch_id=batch) == 3
    assert [e.item_id for e in store.pending_outbox()] == ids[3:]
    store.mark_outbox(ids[:1], "delivered")
    store.mark_outbox(ids[1:2], "dead", error="conflict: same id, different content")
    assert store.requeue_in_flight() == 1  # ids[2], left in flight by a crash
    assert store.mark_outbox(ids[:1], "pending") == 0
    status = store.status()
    assert (status.pending, status.in_flight, status.dead) == (2, 0, 1)
    assert status.last_error == "conflict: same id, different content"


def test_sessions_are_stored_once_and_queued(store: Store) -> None:
    session = protocol.ServiceSession.model_validate(
        {
            "id": str(uuid.uuid4()),
            "counter_id": "c-01",
            "ticket": "A017",
            "started_at": "2026-11-23T09:20:00+08:00",
            "ended_at": "2026-11-23T09:28:00+08:00",
            "finished_in_one_visit": True,
        }
    )
    store.record_session(session)
    store.record_session(session)
    queued = store.pending_outbox()
    assert [(e.kind, e.item_id) for e in queued] == [("session", session.id)]
    assert protocol.ServiceSession.model_validate_json(queued[0].payload) == session


def test_counter_aggregate_reads_the_local_ratings(store: Store) -> None:
    now = datetime.now().astimezone()
    store.record_rating(counter_id="c-01", scores={k: 5 for k in SCORES}, created_at=now)
    store.record_rating(counter_id="c-01", scores={k: 1 for k in SCORES}, created_at=now)
    store.record_rating(
        counter_id="c-01", scores={k: 1 for k in SCORES}, created_at=now - timedelta(days=2)
    )
    store.record_rating(counter_id="c-02", scores={k: 1 for k in SCORES}, created_at=now)
    today = store.counter_aggregate("c-01", now - timedelta(hours=1))
    assert today.count == 2
    assert today.mean == 3
    assert today.low_count == 1
    assert store.counter_aggregate("c-01", now - timedelta(days=3)).count == 3


def test_settings_round_trip_json_values(store: Store) -> None:
    assert store.get_setting("staff_on_duty") is None
    store.set_setting("staff_on_duty", {"id": "s-7", "name": "李娜"})
    store.set_setting("staff_on_duty", {"id": "s-8", "name": "王强"})
    assert store.get_setting("staff_on_duty") == {"id": "s-8", "name": "王强"}


def test_the_file_uses_wal_full_sync_and_foreign_keys(store: Store) -> None:
    with store._writer.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_schema_revision_constant_is_alembic_head() -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(database.MIGRATIONS)).get_current_head()
    assert head == database.SCHEMA_REVISION


def test_a_full_disk_raises_a_typed_error_and_leaves_no_half_rating(tmpfs: Path) -> None:
    path = tmpfs / "kiosk.sqlite"
    store = Store.open(path)
    saved = [store.record_rating(counter_id="c-01", scores=SCORES, comment="满" * 200).id]
    filler = tmpfs / "filler"
    with filler.open("wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)

    def record_until_full() -> StoreFullError:
        for _ in range(20_000):
            try:
                rec = store.record_rating(counter_id="c-01", scores=SCORES, comment="满" * 200)
            except StoreFullError as exc:
                return exc
            saved.append(rec.id)
        raise AssertionError("20,000 ratings did not fill a 2 MiB disk")

    assert record_until_full().reason == "full"
    filler.unlink()
    after = store.record_rating(counter_id="c-01", scores=SCORES)
    store.close()
    assert after.seq == len(saved) + 1
    assert [r[0] for r in rows(path, "SELECT id FROM ratings ORDER BY seq")] == [*saved, after.id]
    assert rows(path, "SELECT count(*) FROM outbox")[0][0] == len(saved) + 1
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


def test_a_disk_gone_read_only_raises_a_typed_error(tmpfs: Path) -> None:
    path = tmpfs / "kiosk.sqlite"
    store = Store.open(path)
    try:
        store.record_rating(counter_id="c-01", scores=SCORES)
        # What the kernel does to a failing SD card while the kiosk runs. Userspace cannot
        # remount while files are open for writing, so the store lets its pooled
        # connections go first; it opens new ones on the next rating.
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
        with pytest.raises(StoreReadOnlyError) as caught:
            store.record_rating(counter_id="c-01", scores=SCORES)
        assert caught.value.reason == "read_only"
    finally:
        store.close()
    subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)
    assert rows(path, "SELECT seq FROM ratings") == [(1,)]


def test_opening_a_store_on_a_read_only_disk_refuses_and_moves_nothing(tmpfs: Path) -> None:
    path = tmpfs / "kiosk.sqlite"
    Store.open(path).close()
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(StoreReadOnlyError):
        Store.open(path)
    assert sorted(p.name for p in tmpfs.iterdir()) == ["kiosk.sqlite"]


def test_a_corrupt_store_is_moved_aside_and_a_fresh_one_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.sqlite"
    store = Store.open(path)
    for _ in range(200):
        store.record_rating(counter_id="c-01", scores=SCORES, comment="好" * 100)
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # scribble over the middle of the file, as a failing SD card would
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data))
    damaged = bytes(data)

    with caplog.at_level(logging.CRITICAL, logger="kiosk.store.database"):
        fresh = Store.open(path)
    try:
        moved = fresh.report.quarantined
        assert moved is not None
        assert moved.name.startswith("kiosk.sqlite.corrupt-")
        assert moved.read_bytes() == damaged, "the damaged file must be kept as it was"
        assert "STORE CORRUPT" in caplog.text
        assert fresh.status().ratings == 0
        assert fresh.record_rating(counter_id="c-01", scores=SCORES).seq == 1
    finally:
        fresh.close()


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    path.write_bytes(b"this is not an SQLite file at all" * 100)
    store = Store.open(path)
    try:
        assert store.report.quarantined is not None
        assert store.report.quarantined.read_bytes().startswith(b"this is not")
        assert store.report.created
    finally:
        store.close()


def test_a_copy_is_kept_before_a_migration_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.sqlite"
    store = Store.open(path)
    rec = store.record_rating(counter_id="c-01", scores=SCORES)
    store.close()
    shipped = database.SCHEMA_REVISION

    # A later release: the shipped migrations plus one more revision.
    import shutil

    migrations = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS, migrations)
    (migrations / "versions" / "0099_next.py").write_text(
        f'''"""a later migration"""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{shipped}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("receipt_code", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("receipt_code")
'''
    )
    monkeypatch.setattr(database, "MIGRATIONS", migrations)
    monkeypatch.setattr(database, "SCHEMA_REVISION", "0099")
    upgraded = Store.open(path)
    upgraded.close()

    backup = upgraded.report.backup
    assert backup is not None
    assert backup.name.startswith(f"kiosk.sqlite.pre-migration-{shipped}-")
    assert upgraded.report.migrated_from == shipped
    assert rows(backup, "SELECT version_num FROM alembic_version") == [(shipped,)]
    assert rows(backup, "SELECT id FROM ratings") == [(rec.id,)]
    assert rows(path, "SELECT version_num FROM alembic_version") == [("0099",)]
    assert rows(path, "SELECT id, receipt_code FROM ratings") == [(rec.id, None)]
    assert rows(path, "SELECT state FROM outbox") == [("pending",)]
