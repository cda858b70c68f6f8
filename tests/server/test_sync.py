"""POST /api/v1/sync: results per rating, idempotency, scores and alerts in the answer."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.database import begin_write
from server.ingest import repository
from server.ingest.service import ingest
from server.models import Alert, Device, Rating, RatingFlag
from server.settings import Settings
from sync.protocol import SyncRequest, SyncResponse
from sync.scoring import Aggregate
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import ALL_FIVES, ALL_ONES, envelope, rating


def post(client: TestClient, hall: Hall, body: dict[str, object]) -> SyncResponse:
    response = client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert response.status_code == 200, response.text
    return SyncResponse.model_validate_json(response.text)


def stored_ratings(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Rating)) or 0


def test_new_ratings_are_accepted_and_the_answer_names_batch_and_ids(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    ratings = [rating(seq=i) for i in (1, 2, 3)]
    body = envelope(ratings)
    answer = post(client, hall, body)
    assert answer.batch_id == body["batch_id"]
    assert answer.results == {r["id"]: "accepted" for r in ratings}
    assert answer.errors == {}
    assert stored_ratings(factory) == 3


def test_a_resent_batch_is_all_duplicates_and_stores_nothing_twice(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    body = envelope([rating(seq=i) for i in (1, 2)])
    post(client, hall, body)
    again = post(client, hall, body)
    assert set(again.results.values()) == {"duplicate"}
    assert stored_ratings(factory) == 2
    assert again.counter_scores is not None
    assert again.counter_scores.today.count == 2


def test_same_id_with_other_content_is_a_conflict_and_the_first_is_kept(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    first = rating(seq=1)
    post(client, hall, envelope([first]))
    changed = dict(first, scores=ALL_ONES)
    answer = post(client, hall, envelope([changed]))
    assert answer.results == {first["id"]: "conflict"}
    assert first["id"] in answer.errors
    with factory() as session:
        kept = session.get(Rating, first["id"])
        assert kept is not None
        assert kept.overall == 5
    assert answer.counter_scores is not None
    assert answer.counter_scores.today.mean == 5.0


def test_the_same_id_twice_in_one_batch_is_stored_once(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    r = rating(seq=1)
    answer = post(client, hall, envelope([r, dict(r), dict(r, scores=ALL_ONES)]))
    assert answer.results == {r["id"]: "conflict"}
    assert stored_ratings(factory) == 1


def test_one_bad_rating_does_not_sink_its_batch(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    good = [rating(seq=1), rating(seq=3)]
    bad = rating(seq=2, scores=dict(ALL_FIVES, overall=6))
    answer = post(client, hall, envelope([good[0], bad, good[1]]))
    assert answer.results[good[0]["id"]] == "accepted"
    assert answer.results[good[1]["id"]] == "accepted"
    assert answer.results[bad["id"]] == "rejected"
    assert "overall" in answer.errors[bad["id"]]
    assert stored_ratings(factory) == 2


def test_a_device_cannot_write_ratings_for_another_counter(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    mine = rating(hall.counter_id, seq=1)
    neighbour = rating(hall.other_counter_id, seq=2)
    elsewhere = rating(hall.foreign_counter_id, seq=3)
    unknown = rating("no-such-counter", seq=4)
    answer = post(client, hall, envelope([mine, neighbour, elsewhere, unknown]))
    assert answer.results[mine["id"]] == "accepted"
    for r in (neighbour, elsewhere, unknown):
        assert answer.results[r["id"]] == "rejected"
        assert "not this device's counter" in answer.errors[r["id"]]
    assert stored_ratings(factory) == 1


def test_counter_scores_in_the_answer_follow_the_scoring_rules(
    client: TestClient, hall: Hall
) -> None:
    stars = [ALL_FIVES, ALL_ONES, dict(ALL_FIVES, efficiency=3, process=4)]
    answer = post(
        client, hall, envelope([rating(seq=i, scores=s) for i, s in enumerate(stars, start=1)])
    )
    expected = Aggregate.of(stars)
    scores = answer.counter_scores
    assert scores is not None
    assert scores.counter_id == hall.counter_id
    for period in (scores.today, scores.last_30_days, scores.month):
        assert period.count == 3
        assert expected.mean is not None
        assert Decimal(str(period.mean)) == round(expected.mean, 4)
        assert period.low_rate == round(float(Decimal(1) / 3), 4)
        assert period.satisfaction_rate == round(float(Decimal(2) / 3), 4)
        assert period.dimension_means["efficiency"] == round((5 + 1 + 3) / 3, 4)
        assert period.rank == 1
        assert period.ranked_counters == 1


def test_rank_in_hall_counts_the_other_counters(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: object
) -> None:
    from tests.server.conftest import enroll_device

    _, other_token = enroll_device(factory, settings, hall.other_counter_id)  # type: ignore[arg-type]
    better = envelope([rating(hall.other_counter_id, seq=i) for i in range(1, 30)])
    response = client.post(
        "/api/v1/sync", json=better, headers={"Authorization": f"Bearer {other_token}"}
    )
    assert response.status_code == 200
    answer = post(client, hall, envelope([rating(seq=1, scores=ALL_ONES)]))
    assert answer.counter_scores is not None
    assert answer.counter_scores.today.rank == 2
    assert answer.counter_scores.today.ranked_counters == 2


def test_a_low_score_raises_an_alert_due_a_day_after_the_server_learned_of_it(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    low = rating(seq=1, scores=ALL_ONES, created_at=created)
    answer = post(client, hall, envelope([low] + [rating(seq=i) for i in range(2, 10)]))
    low_alerts = [a for a in answer.alerts if a.kind == "low_score"]
    assert len(low_alerts) == 1
    assert low_alerts[0].rating_id == low["id"]
    assert low_alerts[0].state == "open"
    # The deadline runs from when the server learned of the rating, not from when it was
    # made: a rating held back by a network outage is not overdue on arrival.
    assert low_alerts[0].due_at == low_alerts[0].created_at + timedelta(hours=24)
    assert low_alerts[0].created_at > created + timedelta(hours=1)
    post(client, hall, envelope([low]))  # a duplicate raises nothing new
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_a_counter_over_the_monthly_low_rate_gets_one_counter_alert(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    # 3 low in 3 is 100% but too few ratings to judge (the minimum sample is 30).
    post(client, hall, envelope([rating(seq=i, scores=ALL_ONES) for i in (1, 2, 3)]))
    with factory() as session:
        kinds = set(session.scalars(select(Alert.kind)))
    assert "counter_low_rate" not in kinds
    # 6 low in 30 is 20%: judged now, and not over the limit.
    post(client, hall, envelope([rating(seq=i, scores=ALL_ONES) for i in (4, 5, 6)]))
    post(client, hall, envelope([rating(seq=i) for i in range(7, 31)]))
    with factory() as session:
        kinds = set(session.scalars(select(Alert.kind)))
    assert "counter_low_rate" not in kinds
    answer = post(client, hall, envelope([rating(seq=31, scores=ALL_ONES)]))
    counter_alerts = [a for a in answer.alerts if a.kind == "counter_low_rate"]
    assert len(counter_alerts) == 1
    assert counter_alerts[0].rating_id is None
    post(client, hall, envelope([rating(seq=32, scores=ALL_ONES)]))
    with factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Alert).where(Alert.kind == "counter_low_rate")
            )
            == 1
        )


def test_a_wrong_device_clock_is_flagged_and_its_ratings_corrected(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    skew = timedelta(days=-3650)  # a kiosk whose clock lost ten years
    device_time = now + skew
    made = device_time - timedelta(minutes=10)
    r = rating(seq=1, created_at=made)
    answer = post(client, hall, envelope([r], device_time=device_time))
    assert answer.results[r["id"]] == "accepted"
    assert answer.config["device_clock_offset_s"] > 3650 * 86400 - 60
    with factory() as session:
        stored = session.get(Rating, r["id"])
        device = session.get(Device, hall.device_id)
        assert stored is not None
        assert device is not None
        assert stored.created_at == made.replace(microsecond=made.microsecond)  # original kept
        assert abs(stored.occurred_at - (now - timedelta(minutes=10))) < timedelta(seconds=30)
        assert stored.flags & RatingFlag.CLOCK_CORRECTED
        assert device.clock_flagged


def test_a_clock_within_five_minutes_is_not_corrected(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    made = now - timedelta(minutes=30)
    r = rating(seq=1, created_at=made)
    post(client, hall, envelope([r], device_time=now - timedelta(minutes=4)))
    with factory() as session:
        stored = session.get(Rating, r["id"])
        device = session.get(Device, hall.device_id)
        assert stored is not None
        assert device is not None
        assert stored.occurred_at == made
        assert not stored.flags & RatingFlag.CLOCK_CORRECTED
        assert not device.clock_flagged


def test_the_device_record_shows_seq_gaps_queue_depth_and_last_contact(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    post(client, hall, envelope([rating(seq=s) for s in (1, 2, 5, 9)], queue_depth=17))
    with factory() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        assert device.highest_seq == 9
        assert device.seq_gaps == [[3, 4], [6, 8]]
        assert device.queue_depth == 17
        assert device.last_contact_at is not None
    post(client, hall, envelope([rating(seq=s) for s in (3, 4, 7)]))
    with factory() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        assert device.seq_gaps == [[6, 6], [8, 8]]


def test_sessions_are_stored_once_and_may_later_gain_their_end(
    client: TestClient, hall: Hall
) -> None:
    started = datetime.now(UTC) - timedelta(minutes=20)
    s = {
        "id": "0190a000-0000-7000-8000-000000000001",
        "counter_id": hall.counter_id,
        "staff_id": "s1",
        "ticket": "A001",
        "started_at": started.isoformat(),
    }
    first = post(client, hall, envelope([], sessions=[s]))
    assert first.results == {s["id"]: "accepted"}
    assert post(client, hall, envelope([], sessions=[s])).results == {s["id"]: "duplicate"}
    ended = dict(
        s, ended_at=(started + timedelta(minutes=8)).isoformat(), finished_in_one_visit=True
    )
    assert post(client, hall, envelope([], sessions=[ended])).results == {s["id"]: "accepted"}
    other = dict(ended, ticket="B999")
    assert post(client, hall, envelope([], sessions=[other])).results == {s["id"]: "conflict"}


def test_gzip_bodies_are_accepted(client: TestClient, hall: Hall) -> None:
    r = rating(seq=1)
    body = gzip.compress(json.dumps(envelope([r])).encode())
    response = client.post(
        "/api/v1/sync",
        content=body,
        headers={**hall.auth, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == {r["id"]: "accepted"}


def test_two_copies_of_a_batch_at_once_store_each_rating_once(
    factory: sessionmaker[Session], hall: Hall, settings: Settings
) -> None:
    """A retried request racing its first copy: one stores, the other answers duplicates."""
    body = SyncRequest.model_validate(envelope([rating(seq=i) for i in range(1, 51)]))
    first = factory()
    begin_write(first)
    answer = ingest(first, hall.device_id, body, settings, datetime.now(UTC))
    assert set(answer.results.values()) == {"accepted"}
    second_answer: list[SyncResponse] = []

    def second_copy() -> None:
        with factory() as session:
            begin_write(session)
            second_answer.append(ingest(session, hall.device_id, body, settings, datetime.now(UTC)))
            session.commit()

    racer = threading.Thread(target=second_copy)
    racer.start()
    racer.join(0.5)
    assert racer.is_alive()  # waiting for the first transaction (device or writer lock)
    first.commit()
    first.close()
    racer.join(30)
    assert second_answer
    assert set(second_answer[0].results.values()) == {"duplicate"}
    assert stored_ratings(factory) == 50


# PostgreSQL only: SQLite has one writer at a time, so there the race cannot happen.
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_rows_a_concurrent_transaction_stored_are_reported_as_neither(
    factory: sessionmaker[Session], hall: Hall
) -> None:
    """store_ratings' contract on the race the device lock does not cover: an id stored by
    another transaction meanwhile is neither inserted nor among the known hashes, so the
    caller looks it up again."""
    now = datetime.now(UTC)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "device_id": hall.device_id,
            "counter_id": "c1",
            "staff_id": None,
            "session_id": None,
            "seq": i,
            "created_at": now,
            "occurred_at": now,
            "received_at": now,
            "attitude": 5,
            "efficiency": 5,
            "process": 5,
            "environment": 5,
            "overall": 5,
            "weighted_score": 50000,
            "level": 5,
            "is_low": False,
            "reasons": [],
            "comment": "",
            "channel": "kiosk",
            "content_version": "2024.1",
            "content_hash": "h",
            "flags": 0,
        }
        for i in (1, 2)
    ]
    first = factory()
    inserted, existing = repository.store_ratings(first, rows[:1])
    assert (inserted, existing) == ({rows[0]["id"]}, {})
    outcome: list[tuple[set[str], dict[str, str]]] = []

    def racer() -> None:
        with factory() as session:
            outcome.append(repository.store_ratings(session, rows))
            session.commit()

    thread = threading.Thread(target=racer)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # blocked on the first transaction's uncommitted row
    first.commit()
    first.close()
    thread.join(30)
    assert outcome == [({rows[1]["id"]}, {})]
    with factory() as session:
        assert repository.existing_hashes(session, [rows[0]["id"]]) == {rows[0]["id"]: "h"}
