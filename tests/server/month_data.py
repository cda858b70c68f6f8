"""A month of known data for the month tests, reports and pages: three counters of hall h1
(the conftest `hall`), four staff, May 2026 in Asia/Shanghai, every figure hand-computed
in tests/server/test_months.py.

- c1: 30 ratings, 7 low (23.3%: just above 20%) -> over the limit; s1 all month, s2 on
  days 1-14 (then moved to c2).
- c2: 30 ratings, 6 low (exactly 20%: not over); s2 from day 16, s3.
- c3 (a small counter): 3 ratings, all low -> too few ratings to judge; s4.
- April: c3 last again (one rating of 1.0 against c1's 5.0) -> c3 is on the 约谈 list.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.halls import service as halls
from server.models import (
    SCORE_SCALE,
    Alert,
    AlertKind,
    AlertState,
    Device,
    Hall,
    Rating,
    ServiceSession,
    Staff,
)

ZONE = ZoneInfo("Asia/Shanghai")
_ids = itertools.count(1)


def local(day: int, hour: int = 10, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZONE).astimezone(UTC)


def add_rating(
    session: Session,
    device_id: str,
    counter_id: str,
    staff_id: str | None,
    stars: int,
    at: datetime,
    *,
    received_at: datetime | None = None,
    session_id: str | None = None,
) -> Rating:
    n = next(_ids)
    rating = Rating(
        id=f"00000000-0000-7000-8000-{n:012d}",
        device_id=device_id,
        counter_id=counter_id,
        staff_id=staff_id,
        session_id=session_id,
        seq=n,
        created_at=at,
        occurred_at=at,
        received_at=received_at or at + timedelta(minutes=1),
        attitude=stars,
        efficiency=stars,
        process=stars,
        environment=stars,
        overall=stars,
        weighted_score=stars * SCORE_SCALE,
        level=stars,
        is_low=stars < 3,
        reasons=[],
        comment="",
        channel="kiosk",
        content_version="2024.1",
        content_hash=hashlib.sha256(str(n).encode()).hexdigest(),
        flags=0,
    )
    session.add(rating)
    return rating


def add_alert(
    session: Session, rating: Rating, *, closed_after_h: float | None, cause: str | None
) -> Alert:
    """A low-score alert due 24 h after the server learned of the rating."""
    session.flush()  # the rating first: the alert's foreign key names it
    due = rating.received_at + timedelta(hours=24)
    closed = (
        None if closed_after_h is None else rating.received_at + timedelta(hours=closed_after_h)
    )
    alert = Alert(
        kind=AlertKind.LOW_SCORE.value,
        counter_id=rating.counter_id,
        rating_id=rating.id,
        period=rating.id,
        state=AlertState.CLOSED.value if closed else AlertState.OPEN.value,
        created_at=rating.received_at,
        due_at=due,
        stage_due={"close": due.isoformat()},
        closed_at=closed,
        cause=cause if closed else None,
        rating_made_at=rating.occurred_at,
    )
    session.add(alert)
    return alert


def add_session(
    session: Session,
    device_id: str,
    counter_id: str,
    staff_id: str,
    minutes: int,
    one_visit: bool,
    day: int,
) -> str:
    n = next(_ids)
    sid = f"00000000-0000-7000-9000-{n:012d}"
    start = local(day, 9)
    session.add(
        ServiceSession(
            id=sid,
            device_id=device_id,
            counter_id=counter_id,
            staff_id=staff_id,
            ticket=f"A{n:03d}",
            started_at=start,
            ended_at=start + timedelta(minutes=minutes),
            finished_in_one_visit=one_visit,
            received_at=start + timedelta(minutes=minutes + 1),
            content_hash=hashlib.sha256(sid.encode()).hexdigest(),
        )
    )
    return sid


def build_month(session: Session, device_id: str) -> None:
    """May 2026 (and a little of April) for hall h1; see the module docstring."""
    now = local(1, 8, month=4)
    hall = session.get(Hall, "h1")
    assert hall is not None
    hall.created_at = now  # the hall has been running since April
    halls.add_counter(session, "h1", "c3", "Counter 3", now)
    for sid, counter in (("s1", "c1"), ("s2", "c2"), ("s3", "c2"), ("s4", "c3")):
        session.add(
            Staff(id=sid, hall_id="h1", counter_id=counter, name=f"Staff {sid}", created_at=now)
        )
    session.flush()

    # Sessions: (counter, staff, minutes, one visit, day).
    s1_sessions = [add_session(session, device_id, "c1", "s1", m, True, 3) for m in (8, 8, 12, 4)]
    add_session(session, device_id, "c1", "s2", 14, True, 4)
    add_session(session, device_id, "c1", "s2", 14, False, 5)
    add_session(session, device_id, "c2", "s2", 12, True, 20)
    add_session(session, device_id, "c2", "s2", 8, True, 21)
    for i in range(5):
        add_session(session, device_id, "c2", "s3", 10, i < 4, 22)

    # c1 / s1: 20 ratings, 5 low (2 stars): 4 staff and 1 system, all closed in time.
    for i in range(15):
        add_rating(
            session,
            device_id,
            "c1",
            "s1",
            5,
            local(2 + i % 20, 11),
            session_id=s1_sessions[i] if i < 2 else None,
        )
    for i, cause in enumerate(["staff", "staff", "staff", "staff", "system"]):
        low = add_rating(session, device_id, "c1", "s1", 2, local(6 + i, 15))
        add_alert(session, low, closed_after_h=2, cause=cause)
    # c1 / s2 (days 1-14): 10 ratings, 2 low: one closed late, one still open.
    for i in range(8):
        add_rating(session, device_id, "c1", "s2", 5, local(1 + i, 12))
    late = add_rating(session, device_id, "c1", "s2", 2, local(10, 16))
    add_alert(session, late, closed_after_h=30, cause="staff")
    still_open = add_rating(session, device_id, "c1", "s2", 2, local(12, 16))
    add_alert(session, still_open, closed_after_h=None, cause=None)
    # c2 / s2 (days 16-31): 10 ratings, 2 low (1 star), closed in time: facilities.
    for i in range(8):
        add_rating(session, device_id, "c2", "s2", 4, local(16 + i, 12))
    for day in (25, 26):
        low = add_rating(session, device_id, "c2", "s2", 1, local(day, 16))
        add_alert(session, low, closed_after_h=3, cause="facilities")
    # c2 / s3: 20 ratings, 4 low (1 star): 3 staff, 1 misunderstanding, in time.
    for i in range(16):
        add_rating(session, device_id, "c2", "s3", 4, local(1 + i, 14))
    for i, cause in enumerate(["staff", "staff", "staff", "misunderstanding"]):
        low = add_rating(session, device_id, "c2", "s3", 1, local(17 + i, 15))
        add_alert(session, low, closed_after_h=5, cause=cause)
    # c3 / s4: 3 ratings, all low, no alert answered.
    for day in (7, 8, 9):
        add_rating(session, device_id, "c3", "s4", 1, local(day, 10))
    # April: c3 last (1.0) behind c1 (5.0).
    add_rating(session, device_id, "c1", "s1", 5, local(20, 10, month=4))
    add_rating(session, device_id, "c3", "s4", 1, local(20, 11, month=4))
    # A rating of the next month, not of May.
    add_rating(session, device_id, "c1", "s1", 5, local(1, 10, month=6))
    session.flush()


def add_device(session: Session, counter_id: str) -> str:
    """A device row for `counter_id` (ratings name one); its id."""
    device_id = f"00000000-0000-7000-a000-{next(_ids):012d}"
    session.add(
        Device(
            id=device_id,
            counter_id=counter_id,
            token_hash=hashlib.sha256(device_id.encode()).hexdigest(),
            active=True,
            enrolled_at=local(1, 8, month=4),
            app_version="1.0",
        )
    )
    session.flush()
    return device_id
