"""Service sessions through the real sync endpoint: start and finish copies, matter,
outcome and handling time, one counted rating per session (later copies stored and
excluded), unknown staff flagged, the matter catalog in the config, participation rate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.halls import service as halls
from server.models import Rating, RatingFlag, ServiceSession
from server.sessions.service import put_matter, session_figures, session_report
from sync.protocol import SyncResponse
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import ALL_FIVES, ALL_ONES, envelope, rating
from tests.server.test_phone_rating import phone_token, rate


def post(client: TestClient, hall: Hall, body: dict[str, Any]) -> SyncResponse:
    response = client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert response.status_code == 200, response.text
    return SyncResponse.model_validate_json(response.text)


@pytest.fixture
def roster(hall: Hall, factory: sessionmaker[Session]) -> Hall:
    """Staff s1 at counter c1, floating s-float, s-other at another hall; matter A01."""
    now = datetime.now(UTC)
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "Wang", "c1", now)
        halls.add_staff(session, "h1", "s-float", "Li", None, now)
        halls.add_staff(session, "h2", "s-other", "Zhao", "c9", now)
        put_matter(session, "A01", "户籍迁入", 12, now=now)
    return hall


def served(
    started: datetime, *, staff: str = "s1", ticket: str = "A017", matter: str = "A01"
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "counter_id": "c1",
        "staff_id": staff,
        "ticket": ticket,
        "matter_code": matter,
        "started_at": started.isoformat(),
    }


def finished(start: dict[str, Any], minutes: float, outcome: str = "one_visit") -> dict[str, Any]:
    ended = datetime.fromisoformat(start["started_at"]) + timedelta(minutes=minutes)
    one_visit = None if outcome == "cancelled" else outcome == "one_visit"
    return {
        **start,
        "ended_at": ended.isoformat(),
        "outcome": outcome,
        "finished_in_one_visit": one_visit,
    }


def stored_session(factory: sessionmaker[Session], sid: str) -> ServiceSession:
    with factory() as session:
        found = session.get(ServiceSession, sid)
        assert found is not None
        session.expunge(found)
        return found


def test_the_sync_answer_carries_the_matter_catalog(client: TestClient, roster: Hall) -> None:
    answer = post(client, roster, envelope([]))
    assert answer.config["matters"] == [{"code": "A01", "name": "户籍迁入", "standard_minutes": 12}]


def test_a_session_sent_at_start_and_at_finish_keeps_matter_outcome_and_handling_time(
    client: TestClient, roster: Hall, factory: sessionmaker[Session]
) -> None:
    start = served(datetime.now(UTC) - timedelta(minutes=30))
    assert post(client, roster, envelope([], sessions=[start])).results == {start["id"]: "accepted"}
    opened = stored_session(factory, start["id"])
    assert (opened.ended_at, opened.outcome, opened.handling_s) == (None, None, None)
    end = finished(start, 14.5, "another_visit")
    assert post(client, roster, envelope([], sessions=[end])).results == {start["id"]: "accepted"}
    assert post(client, roster, envelope([], sessions=[end])).results == {start["id"]: "duplicate"}
    kept = stored_session(factory, start["id"])
    assert (kept.matter_code, kept.ticket, kept.staff_id) == ("A01", "A017", "s1")
    assert (kept.outcome, kept.finished_in_one_visit, kept.handling_s) == (
        "another_visit",
        False,
        870,
    )
    assert kept.unknown_staff is False


@pytest.mark.parametrize(
    "change",
    [{"ticket": "B999"}, {"staff_id": "s-float"}, {"matter_code": "B02"}],
    ids=["ticket", "staff", "matter"],
)
def test_a_copy_that_changes_ticket_staff_or_matter_is_a_conflict_and_changes_nothing(
    client: TestClient, roster: Hall, factory: sessionmaker[Session], change: dict[str, str]
) -> None:
    start = served(datetime.now(UTC) - timedelta(minutes=30))
    post(client, roster, envelope([], sessions=[start]))
    other = {**finished(start, 5), **change}
    answer = post(client, roster, envelope([], sessions=[other]))
    assert answer.results == {start["id"]: "conflict"}
    kept = stored_session(factory, start["id"])
    assert (kept.ticket, kept.staff_id, kept.ended_at) == ("A017", "s1", None)


def test_an_outcome_inconsistent_with_the_one_visit_flag_is_rejected(
    client: TestClient, roster: Hall
) -> None:
    bad = {**finished(served(datetime.now(UTC) - timedelta(minutes=9)), 5, "referred")}
    bad["finished_in_one_visit"] = True
    answer = post(client, roster, envelope([], sessions=[bad]))
    assert answer.results == {bad["id"]: "rejected"}
    assert "finished_in_one_visit" in answer.errors[bad["id"]]


def test_a_session_stored_before_sessions_had_matter_and_outcome_is_still_a_duplicate(
    client: TestClient, roster: Hall
) -> None:
    old = served(datetime.now(UTC) - timedelta(minutes=9))
    del old["matter_code"]
    post(client, roster, envelope([], sessions=[old]))
    again = {**old, "matter_code": None, "outcome": None}
    assert post(client, roster, envelope([], sessions=[again])).results == {old["id"]: "duplicate"}


def test_a_second_kiosk_rating_of_one_session_is_stored_marked_excluded_and_not_counted(
    client: TestClient, roster: Hall, factory: sessionmaker[Session]
) -> None:
    end = finished(served(datetime.now(UTC) - timedelta(minutes=20)), 8)
    first = rating(seq=1, session_id=end["id"], scores=ALL_FIVES)
    second = rating(seq=2, session_id=end["id"], scores=ALL_ONES)
    answer = post(client, roster, envelope([first, second], sessions=[end]))
    assert answer.results == {
        end["id"]: "accepted",
        first["id"]: "accepted",
        second["id"]: "accepted",
    }
    assert "excluded" in answer.errors[second["id"]]
    assert answer.counter_scores is not None
    assert answer.counter_scores.today.count == 1
    assert answer.counter_scores.today.mean == 5.0
    assert answer.alerts == []  # the excluded all-ones rating raised no alert
    with factory() as session:
        flags = {r.id: r.flags for r in session.scalars(select(Rating))}
    assert flags[first["id"]] & RatingFlag.EXCLUDED_DUPLICATE == 0
    assert flags[second["id"]] & RatingFlag.EXCLUDED_DUPLICATE
    # Sent again (a lost answer): the same verdict, nothing stored twice.
    again = post(client, roster, envelope([first, second], sessions=[end]))
    assert set(again.results.values()) == {"duplicate"}
    assert again.counter_scores is not None
    assert again.counter_scores.today.count == 1


def test_a_kiosk_rating_after_the_phone_rated_the_session_is_kept_but_excluded(
    client: TestClient, roster: Hall, factory: sessionmaker[Session]
) -> None:
    end = finished(served(datetime.now(UTC) - timedelta(minutes=6)), 5)
    token = phone_token(client, roster, sessions=[end])
    assert rate(client, token, dict.fromkeys(ALL_FIVES, "4")).status_code == 200
    late = rating(seq=1, session_id=end["id"], scores=ALL_ONES)
    answer = post(client, roster, envelope([late]))
    assert answer.results == {late["id"]: "accepted"}
    assert answer.counter_scores is not None
    assert answer.counter_scores.today.count == 1
    with factory() as session:
        report = session_report(session, "c1", 1, datetime.now(UTC))
    [row] = report.rows
    assert row.rating == "4.00 (mobile) +1 excluded"
    assert row.handling == "5.0 min"


def test_a_rating_or_session_naming_staff_off_the_counters_roster_is_flagged(
    client: TestClient, roster: Hall, factory: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    sessions = [served(now - timedelta(minutes=9), staff=s) for s in ("s1", "s-float", "s-other")]
    ratings = [
        rating(seq=i, staff_id=s["staff_id"], session_id=s["id"]) for i, s in enumerate(sessions, 1)
    ]
    answer = post(client, roster, envelope(ratings, sessions=sessions))
    assert set(answer.results.values()) == {"accepted"}
    with factory() as session:
        unknown = {s.staff_id: s.unknown_staff for s in session.scalars(select(ServiceSession))}
        flagged = {
            r.staff_id: bool(r.flags & RatingFlag.UNKNOWN_STAFF)
            for r in session.scalars(select(Rating))
        }
    assert unknown == {"s1": False, "s-float": False, "s-other": True}
    assert flagged == {"s1": False, "s-float": False, "s-other": True}


def test_participation_rate_and_handling_time_per_counter_and_staff(
    client: TestClient, roster: Hall, factory: sessionmaker[Session]
) -> None:
    """Five sessions of s1 (four finished, one cancelled), two rated; one of s-float,
    rated twice: s1 2/4 = 50%, s-float 1/1, the counter 3/5 = 60%."""
    base = datetime.now(UTC) - timedelta(hours=3)
    plan = [  # staff, minutes, outcome, ratings
        ("s1", 6, "one_visit", 1),
        ("s1", 15, "one_visit", 0),
        ("s1", 20, "another_visit", 1),
        ("s1", 9, "referred", 0),
        ("s1", 2, "cancelled", 0),
        ("s-float", 10, "one_visit", 2),
    ]
    sessions, ratings = [], []
    for i, (staff, minutes, outcome, rated) in enumerate(plan):
        end = finished(served(base + timedelta(minutes=25 * i), staff=staff), minutes, outcome)
        sessions.append(end)
        ratings += [rating(seq=len(ratings) + 1, session_id=end["id"]) for _ in range(rated)]
    post(client, roster, envelope(ratings, sessions=sessions))
    with factory() as session:
        period = session_figures(session, ["c1"], base, datetime.now(UTC))
    counter = period.counters["c1"]
    assert (counter.finished, counter.rated, counter.cancelled) == (5, 3, 1)
    assert counter.participation_rate == Decimal("0.6")
    s1 = period.staff[("c1", "s1")]
    assert (s1.finished, s1.rated, s1.participation_rate) == (4, 2, Decimal("0.5"))
    assert s1.one_visit_rate == Decimal("0.5")
    assert s1.mean_handling_minutes == Decimal(50) / 4  # (6 + 15 + 20 + 9) / 4
    assert s1.over_standard == 2  # 15 and 20 minutes against A01's 12
    assert period.staff[("c1", "s-float")].participation_rate == Decimal(1)


def test_the_phone_token_names_the_newest_session_only_while_it_is_unrated(
    client: TestClient, roster: Hall
) -> None:
    from server.grants import tokens
    from tests.server.conftest import SECRET

    def bound(token: str) -> str | None:
        return tokens.verify((SECRET,), token, datetime.now(UTC), timedelta(minutes=15)).session_id

    end = finished(served(datetime.now(UTC) - timedelta(minutes=6)), 5)
    assert bound(phone_token(client, roster, sessions=[end])) == end["id"]
    kiosk = rating(seq=1, session_id=end["id"])
    # Rated at the kiosk: the next token is for no session rather than a spent one.
    assert bound(phone_token(client, roster, ratings=[kiosk])) is None
    cancelled = finished(served(datetime.now(UTC) - timedelta(minutes=2)), 1, "cancelled")
    assert bound(phone_token(client, roster, sessions=[cancelled])) is None
