"""Alert deadlines in working days: China's official calendar, a hall's closures, the
escalation chain over a holiday and a weekend, late ratings from an offline hall. Time is
frozen by passing `now`; nothing sleeps."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.alerts import chain, profiles
from server.alerts.deadlines import (
    AlertProfile,
    Span,
    WorkCalendar,
    default_profile,
    stage_deadlines,
)
from server.cli import main as server_cli
from server.escalation import escalate_once
from server.ingest import service as ingest
from server.models import Alert, AlertEvent
from server.settings import Settings
from sync.protocol import SyncRequest
from sync.scoring import DEFAULT_CONFIG
from tests.server.conftest import PASSWORD, Hall, login
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating

#: What every step needs: a note, whether the citizen was reached, the cause.
STEP = {"note": "已处理", "reached": True, "cause": "staff"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def working_days(n: int) -> Span:
    return Span(amount=Decimal(n), unit="working_days")


# National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October are
# make-up working days. 15-16 November 2025 is an ordinary weekend.
@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        # Tuesday before the holiday: the next working day is Thursday 9 October.
        (local(2025, 9, 30, 10), working_days(1), local(2025, 10, 9, 10)),
        # 9 Oct, 10 Oct, then Saturday 11 Oct, a make-up working day.
        (local(2025, 9, 30, 10), working_days(3), local(2025, 10, 11, 10)),
        # Learned on a holiday: counting starts at the next working day's midnight.
        (local(2025, 10, 3, 16), working_days(1), local(2025, 10, 10, 0)),
        # Friday afternoon plus one working day is Monday afternoon.
        (local(2025, 11, 14, 15), working_days(1), local(2025, 11, 17, 15)),
        # Five working days from Friday: Mon..Thu, then Friday 21st.
        (local(2025, 11, 14, 15), working_days(5), local(2025, 11, 21, 15)),
        # Hours are on the clock, weekends or not.
        (local(2025, 11, 14, 15), Span(amount=Decimal(24)), local(2025, 11, 15, 15)),
        # Half a working day from Friday 20:00: 4 hours Friday, 8 on Monday.
        (
            local(2025, 11, 14, 20),
            Span(amount=Decimal("0.5"), unit="working_days"),
            local(2025, 11, 17, 8),
        ),
    ],
    ids=[
        "over-national-day",
        "onto-make-up-saturday",
        "from-inside-the-holiday",
        "over-a-weekend",
        "five-days-over-a-weekend",
        "hours-ignore-the-calendar",
        "half-day",
    ],
)
def test_working_days_follow_the_official_calendar(
    start: datetime, span: Span, expected: datetime
) -> None:
    assert WorkCalendar(SHANGHAI).add(start.astimezone(UTC), span) == expected


def test_a_halls_own_closure_is_not_a_working_day() -> None:
    calendar = WorkCalendar(SHANGHAI, closures={date(2025, 11, 17)})
    assert calendar.add(local(2025, 11, 14, 15), working_days(1)) == local(2025, 11, 18, 15)


def test_the_default_profile_keeps_the_scoring_deadline_as_its_first_stage() -> None:
    profile = default_profile(DEFAULT_CONFIG)
    first = profile.stages[0]
    assert first.stage == "acknowledge"
    assert first.within == Span(amount=Decimal(DEFAULT_CONFIG.alert_deadline_hours))
    due = stage_deadlines(profile, WorkCalendar(SHANGHAI), local(2025, 9, 30, 10), citizen=True)
    assert due == {
        "acknowledge": local(2025, 10, 1, 10),
        "call_back": local(2025, 10, 9, 10),
        "rectify": local(2025, 10, 11, 10),
        # 9, 10, 11 (make-up Saturday), then Monday 13 and Tuesday 14.
        "close": local(2025, 10, 14, 10),
    }
    # A counter alert has no citizen to call back.
    assert "call_back" not in stage_deadlines(
        profile, WorkCalendar(SHANGHAI), local(2025, 9, 30, 10), citizen=False
    )


def _ingest(
    factory: sessionmaker[Session], settings: Settings, hall: Hall, now: datetime, made: datetime
) -> None:
    body = envelope(
        [rating(seq=1, scores=ALL_ONES, created_at=made.isoformat())]
        + [rating(seq=i, created_at=made.isoformat()) for i in range(2, 7)],
        device_time=now,
    )
    with factory.begin() as session:
        ingest.ingest(session, hall.device_id, SyncRequest.model_validate(body), settings, now)


def _alert(factory: sessionmaker[Session]) -> Alert:
    with factory() as session:
        return session.scalars(select(Alert)).one()


def test_escalation_runs_up_the_chain_in_working_days_over_national_day(
    factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    with factory.begin() as session:
        profiles.store_profile(
            session,
            "h1",
            {
                "stages": [
                    {"stage": "acknowledge", "within": {"amount": 1, "unit": "working_days"}},
                    {"stage": "rectify", "within": {"amount": 3, "unit": "working_days"}},
                ],
                "escalation": [
                    {"role": "manager", "within": {"amount": 1, "unit": "working_days"}},
                    {"role": "inspector", "within": {"amount": 2, "unit": "working_days"}},
                ],
                "closures": ["2025-10-13"],
            },
            local(2025, 9, 1),
        )
    learned = local(2025, 9, 30, 10)
    _ingest(factory, settings, hall, learned, learned - timedelta(minutes=5))
    alert = _alert(factory)
    assert alert.due_at == local(2025, 10, 9, 10)
    assert alert.learn_delay_s == 300

    # All through the holiday nothing is overdue.
    assert escalate_once(factory, local(2025, 10, 8, 23)) == 0
    with factory() as session:
        forecast = chain.forecast_breaches(session, local(2025, 10, 8, 23), 12)
    assert [(b.alert_id, b.held_by) for b in forecast] == [(alert.id, "supervisor")]

    # Missed on 9 October: the manager has one working day, Friday 10 October.
    assert escalate_once(factory, local(2025, 10, 9, 11)) == 1
    alert = _alert(factory)
    assert (alert.escalation_level, alert.level_due_at) == (1, local(2025, 10, 10, 11))
    # Missed by the manager on Friday: the inspector has two working days, Saturday 11th
    # (a make-up working day) and, the hall being closed on Monday 13th, Tuesday 14th.
    assert escalate_once(factory, local(2025, 10, 10, 12)) == 1
    alert = _alert(factory)
    assert (alert.escalation_level, alert.level_due_at) == (2, local(2025, 10, 14, 12))
    # There is nobody above the supervising office: the alert stays overdue with it, and
    # later passes leave it alone.
    assert escalate_once(factory, local(2025, 10, 20)) == 0
    alert = _alert(factory)
    assert (alert.escalation_level, alert.level_due_at, alert.escalated) == (2, None, True)
    assert escalate_once(factory, local(2025, 10, 21)) == 0
    with factory() as session:
        notes = session.scalars(select(AlertEvent.note).where(AlertEvent.action == "escalated"))
        assert [n.split(":")[0] for n in notes] == ["to manager", "to inspector"]


def test_an_offline_halls_week_old_low_score_gets_a_fresh_deadline(
    factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    learned = local(2025, 11, 14, 15)
    _ingest(factory, settings, hall, learned, learned - timedelta(days=7))
    alert = _alert(factory)
    assert alert.created_at == learned
    assert alert.learn_delay_s == 7 * 24 * 3600
    assert alert.due_at == learned + timedelta(hours=DEFAULT_CONFIG.alert_deadline_hours)
    assert escalate_once(factory, learned + timedelta(minutes=1)) == 0
    # The stages after acknowledging run in working days over the weekend.
    assert alert.stage_due is not None
    assert datetime.fromisoformat(alert.stage_due["call_back"]) == local(2025, 11, 17, 15)


def test_a_profile_with_a_zero_deadline_is_refused(
    factory: sessionmaker[Session], hall: Hall
) -> None:
    with factory.begin() as session, pytest.raises(profiles.ProfileError, match="amount"):
        profiles.store_profile(
            session,
            "h1",
            {"stages": [{"stage": "acknowledge", "within": {"amount": 0}}], "escalation": []},
            local(2025, 9, 1),
        )
    assert isinstance(default_profile(DEFAULT_CONFIG), AlertProfile)


def test_each_step_moves_the_deadline_to_the_next_stage(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    learned = local(2025, 9, 30, 10)
    _ingest(factory, settings, hall, learned, learned)
    alert = _alert(factory)
    auth = login(client, "super1")
    seen = []
    for step in ("acknowledge", "call-back", "rectify", "close"):
        answer = client.post(f"/api/v1/alerts/{alert.id}/{step}", json=STEP, headers=auth).json()
        seen.append(datetime.fromisoformat(answer["due_at"]))
    # After each step the deadline is the next stage's; once closed it stays the last.
    assert seen == [
        local(2025, 10, 9, 10),
        local(2025, 10, 11, 10),
        local(2025, 10, 14, 10),
        local(2025, 10, 14, 10),
    ]


def test_a_manager_works_their_halls_alerts_and_an_inspector_only_reads(
    client: TestClient,
    factory: sessionmaker[Session],
    settings: Settings,
    hall: Hall,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = ["--database-url", settings.database_url]
    for name, role, hall_id in (("boss1", "manager", "h1"), ("ducha", "inspector", None)):
        extra = ["--hall", hall_id] if hall_id else []
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        args = [*db, "user", "add", name, "--role", role, "--password-stdin", *extra]
        assert server_cli(args) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert server_cli([*db, "user", "add", "x", "--role", "manager", "--password-stdin"]) != 0
    learned = local(2025, 9, 30, 10)
    _ingest(factory, settings, hall, learned, learned)
    alert = _alert(factory)
    inspector = login(client, "ducha")
    assert len(client.get("/api/v1/alerts", headers=inspector).json()) == 1
    url = f"/api/v1/alerts/{alert.id}/acknowledge"
    note = {"note": "已受理"}
    assert client.post(url, json=note, headers=inspector).status_code == 403
    assert client.post(url, json=note, headers=login(client, "boss1")).status_code == 200


@pytest.mark.parametrize(
    ("stage", "why"),
    [
        ({"stage": "acknowledge", "within": {"amount": 366, "unit": "working_days"}}, "365"),
        ({"stage": "acknowledge", "within": {"amount": 1, "unit": "weeks"}}, "unit"),
        ({"stage": "pray", "within": {"amount": 1}}, "stage"),
    ],
    ids=["too-long", "unknown-unit", "unknown-stage"],
)
def test_a_profile_the_calendar_cannot_serve_is_refused(
    factory: sessionmaker[Session], hall: Hall, stage: dict[str, object], why: str
) -> None:
    with factory.begin() as session, pytest.raises(profiles.ProfileError, match=why):
        profiles.store_profile(
            session, "h1", {"stages": [stage], "escalation": []}, local(2025, 9, 1)
        )
