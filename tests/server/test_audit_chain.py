"""The tamper-evident record: audit entries chained by hash in commit order, each day of
received ratings sealed, `hallrate-server audit verify` naming the first link a direct
change of the database broke (exit status 1), and the random 10% sample redrawn
identically from its seed. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.audit import chain, sample
from server.audit.service import record
from server.models import AuditEntry, RatingDaySeal
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import envelope, rating
from tests.server.test_cli import run


def _record(factory: sessionmaker[Session], action: str, **after: object) -> None:
    with factory.begin() as db:
        record(db, user=None, username="tester", action=action, at=datetime.now(UTC), after=after)


def _sql(factory: sessionmaker[Session], statement: str, **params: object) -> None:
    with factory.begin() as db:
        db.execute(sa.text(statement), params)


def _verify(factory: sessionmaker[Session]) -> chain.Verified:
    with factory() as db:
        return chain.verify(db)


def test_entries_join_the_chain_in_commit_order_and_a_rolled_back_one_leaves_no_gap(
    factory: sessionmaker[Session],
) -> None:
    _record(factory, "user.create", name="a")

    def failing_change() -> None:
        with factory.begin() as db:
            record(db, user=None, username="t", action="user.create", at=datetime.now(UTC))
            raise RuntimeError("the change failed: nothing of it stays")

    with pytest.raises(RuntimeError):
        failing_change()
    with factory.begin() as db:
        record(db, user=None, username="t", action="hall.create", at=datetime.now(UTC))
        record(db, user=None, username="t", action="counter.create", at=datetime.now(UTC))
    with factory() as db:
        rows = db.scalars(select(AuditEntry).order_by(AuditEntry.chain_seq)).all()
        links = [
            (e.action, e.chain_seq, e.prev_hash == p)
            for e, p in zip(rows, [chain.GENESIS] + [r.entry_hash for r in rows[:-1]], strict=True)
        ]
    assert links == [
        ("user.create", 1, True),
        ("hall.create", 2, True),
        ("counter.create", 3, True),
    ]
    result = _verify(factory)
    assert (result.entries, result.breaks) == (3, ())


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        ("UPDATE audit_log SET after = NULL WHERE chain_seq = 2", "entry {id2} (#2): its content"),
        ("UPDATE audit_log SET username = 'someone else' WHERE chain_seq = 2", "entry {id2} (#2)"),
        ("DELETE FROM audit_log WHERE chain_seq = 2", "entry {id3} (#3): entry #2 is missing"),
        ("DELETE FROM audit_log WHERE chain_seq = 3", "entry #3: the newest entries were deleted"),
        (
            "INSERT INTO audit_log (at, username, action, object_type, object_id)"
            " VALUES ('2026-12-01 10:00:00+00:00', 'x', 'login', '', '')",
            "entry {new}: it is outside the chain",
        ),
    ],
)
def test_a_direct_change_of_the_log_is_named_by_audit_verify(
    db_url: str, factory: sessionmaker[Session], tamper: str, says: str
) -> None:
    for n in range(3):
        _record(factory, "alert.close", note=f"step {n}")
    assert run(db_url, "audit", "verify")[0] == 0
    with factory() as db:
        ids = dict(db.execute(select(AuditEntry.chain_seq, AuditEntry.id)).tuples().all())
    _sql(factory, tamper)
    with factory() as db:
        new = db.scalar(select(sa.func.max(AuditEntry.id)))
    code, out, _ = run(db_url, "audit", "verify")
    assert code == 1
    assert f"BROKEN: audit chain broken at {says.format(id2=ids[2], id3=ids[3], new=new)}" in out


def test_parallel_transactions_make_one_chain_without_gaps(
    factory: sessionmaker[Session],
) -> None:
    def work(n: int) -> None:
        for i in range(5):
            _record(factory, "login", worker=n, round=i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as db:
        seqs = db.scalars(select(AuditEntry.chain_seq).order_by(AuditEntry.chain_seq)).all()
    assert seqs == list(range(1, 41))
    result = _verify(factory)
    assert (result.entries, result.breaks) == (40, ())


def _send(client: TestClient, hall: Hall, first_seq: int, n: int) -> None:
    body = envelope([rating(seq=s) for s in range(first_seq, first_seq + n)])
    answer = client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert answer.status_code == 200, answer.text


def test_each_day_of_received_ratings_is_sealed_and_a_changed_rating_is_found(
    db_url: str, client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    _send(client, hall, 1, 6)
    today = datetime.now(UTC).date()
    with factory.begin() as db:
        # The day is not over: nothing to seal yet. Two days on: today and tomorrow.
        assert chain.seal_days(db, datetime.now(UTC)) == 0
        assert chain.seal_days(db, datetime.now(UTC) + timedelta(days=2)) == 2
    with factory() as db:
        seals = db.scalars(select(RatingDaySeal).order_by(RatingDaySeal.day)).all()
        assert [(s.day, s.count) for s in seals] == [(today, 6), (today + timedelta(days=1), 0)]
        assert seals[1].prev_hash == seals[0].seal_hash
    assert run(db_url, "audit", "verify")[1].endswith(
        "intact: every link matches the rows as they are\n"
    )

    # What a person's deletion request removes does not break the seal ...
    _sql(factory, "UPDATE ratings SET comment = '', receipt_code = NULL")
    assert _verify(factory).ok
    # ... a score changed in the database does.
    _sql(factory, "UPDATE ratings SET overall = 1 WHERE seq = 3")
    code, out, _ = run(db_url, "audit", "verify")
    assert code == 1
    assert f"BROKEN: ratings chain broken at {today}: a rating of that day was changed" in out
    _sql(factory, "DELETE FROM ratings WHERE seq = 3")
    assert str(_verify(factory).breaks[0]).endswith("5 ratings received that day, 6 sealed")


def test_the_random_audit_draws_a_tenth_and_redraws_it_from_its_seed(
    db_url: str, client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    _send(client, hall, 1, 25)
    month = datetime.now(UTC).date().replace(day=1)
    with factory() as db:
        first = sample.draw(db, month, 1234, "h1")
        again = sample.draw(db, month, 1234, "h1")
        other = sample.draw(db, month, 99, "h1")
        before = sample.draw(db, date(2020, 1, 1), 1234, "h1")
    assert [(s.hall_id, s.ratings, len(s.drawn)) for s in first] == [("h1", 25, 3)]
    assert first == again
    assert other[0].drawn != first[0].drawn
    assert before[0].drawn == ()

    code, out, _ = run(db_url, "audit", "sample", "--month", f"{month:%Y-%m}", "--seed", "1234")
    assert code == 0
    assert "seed 1234 (redraw with --seed 1234)" in out
    assert "hall h1: 3 of 25 ratings" in out
    assert all(rating_id in out for rating_id in first[0].drawn)
    code, out, _ = run(db_url, "audit", "sample", "--month", f"{month:%Y-%m}")
    seed = int(out.split("seed ")[1].split(" ")[0])
    with factory() as db:
        drawn = sample.draw(db, month, seed, "h1")[0].drawn
        logged = db.scalars(select(AuditEntry).where(AuditEntry.action == "audit.sample")).all()
    assert all(rating_id in out for rating_id in drawn)
    assert [e.after["seed"] for e in logged if e.hall_id == "h1"] == [1234, seed]  # type: ignore[index]
    assert (
        run(db_url, "audit", "sample", "--month", "13-2026")[2]
        .strip()
        .endswith("'13-2026' is not a month (YYYY-MM)")
    )
