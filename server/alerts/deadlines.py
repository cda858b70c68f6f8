"""Alert deadlines: a hall's alert profile (stages, escalation chain, surge rule, closures)
and the calendar arithmetic of working days.

A deadline counts from when the server *learned* of the rating, not from when it was made:
a hall offline for a week sends ratings that are a week old, and they must not arrive
overdue. Working days are China's official calendar (`chinese-calendar`: weekends, public
holidays and the make-up working days on weekends) minus the hall's own closure dates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.models import Alert
from sync.scoring import ScoringConfig

log = logging.getLogger(__name__)

Unit = Literal["hours", "working_days"]
MAX_WORKING_DAYS = 365
#: The stages of a low-score alert, in order; a counter alert has no citizen to call back.
STAGES: tuple[str, ...] = ("acknowledge", "call_back", "rectify", "close")
#: Which stage an alert in a state has to do next.
NEXT_STAGE: dict[str, str] = {
    "open": "acknowledge",
    "acknowledged": "call_back",
    "called_back": "rectify",
    "rectified": "close",
}


class Span(BaseModel):
    """An amount of time: calendar hours, or working days (24 hours of working-day time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Decimal = Field(gt=0, le=8760)
    unit: Unit = "hours"

    @model_validator(mode="after")
    def _at_most_a_year_of_working_days(self) -> Span:
        if self.unit == "working_days" and self.amount > MAX_WORKING_DAYS:
            raise ValueError(f"at most {MAX_WORKING_DAYS} working days")
        return self


class StageRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: Literal["acknowledge", "call_back", "rectify", "close"]
    within: Span


class EscalationLevel(BaseModel):
    """Who is told when the level below misses its deadline, and how long they have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["manager", "inspector"]
    within: Span


class SurgeRule(BaseModel):
    """A counter alert at once when a counter's share of low scores in a sliding window
    reaches `low_share` over at least `min_ratings` ratings (at most one per window)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    window_minutes: int = Field(default=15, gt=0, le=24 * 60)
    min_ratings: int = Field(default=4, gt=0, le=10_000)
    low_share: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)


class AlertProfile(BaseModel):
    """How one hall runs its alerts; stored as JSON in `alert_profiles`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: tuple[StageRule, ...]
    escalation: tuple[EscalationLevel, ...]
    #: Days the hall is closed besides the official calendar (not working days).
    closures: frozenset[date] = Field(default=frozenset(), max_length=2000)
    surge: SurgeRule = SurgeRule()
    #: "Nears its deadline" is told this many hours before it.
    warn_hours: Decimal = Field(default=Decimal(2), ge=0, le=240)

    def within(self, stage: str) -> Span | None:
        for rule in self.stages:
            if rule.stage == stage:
                return rule.within
        return None


def default_profile(config: ScoringConfig) -> AlertProfile:
    """The profile of a hall that has none: acknowledge within the scoring configuration's
    `alert_deadline_hours`, call back within 1 working day, rectify within 3, the second
    call-back (close) within 5; escalated to the hall manager (1 working day), then the
    supervising office (2 working days)."""
    return AlertProfile(
        stages=(
            StageRule(
                stage="acknowledge", within=Span(amount=Decimal(config.alert_deadline_hours))
            ),
            StageRule(stage="call_back", within=Span(amount=Decimal(1), unit="working_days")),
            StageRule(stage="rectify", within=Span(amount=Decimal(3), unit="working_days")),
            StageRule(stage="close", within=Span(amount=Decimal(5), unit="working_days")),
        ),
        escalation=(
            EscalationLevel(role="manager", within=Span(amount=Decimal(1), unit="working_days")),
            EscalationLevel(role="inspector", within=Span(amount=Decimal(2), unit="working_days")),
        ),
    )


class WorkCalendar:
    """Working days of one hall: the official calendar minus the hall's closures."""

    def __init__(self, zone: ZoneInfo, closures: Iterable[date] = ()) -> None:
        self.zone = zone
        self.closures = frozenset(closures)

    def is_working_day(self, day: date) -> bool:
        if day in self.closures:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # A year the package does not know yet: weekdays, until it is updated.
            log.warning("no official calendar for %d; counting weekdays", day.year)
            return day.weekday() < 5

    def add(self, start: datetime, span: Span) -> datetime:
        """`start` plus `span`: hours on the clock, or working days as 24 hours of time
        that passes only on working days (so a working day's 15:00 plus one working day is
        15:00 of the next working day; a start on a holiday counts from the next working
        day's midnight)."""
        if span.unit == "hours":
            return start + timedelta(hours=float(span.amount))
        remaining = timedelta(days=float(span.amount))
        local = start.astimezone(self.zone)
        day = local.date()
        # Time of the start's day that is still to run, if that day counts.
        moment = local.replace(tzinfo=None)
        for _ in range(3660):  # ten years of days: a profile cannot ask for more
            midnight = datetime.combine(day + timedelta(days=1), time())
            if self.is_working_day(day):
                left_today = midnight - moment
                if remaining <= left_today:
                    return (moment + remaining).replace(tzinfo=self.zone).astimezone(start.tzinfo)
                remaining -= left_today
            day += timedelta(days=1)
            moment = midnight
        raise ValueError("no working day in ten years: check the hall's closures")


def stage_deadlines(
    profile: AlertProfile, calendar: WorkCalendar, learned_at: datetime, *, citizen: bool
) -> dict[str, datetime]:
    """Each stage's deadline, all counted from `learned_at`. A counter alert (no citizen)
    has no call-back stage."""
    out: dict[str, datetime] = {}
    for rule in profile.stages:
        if rule.stage == "call_back" and not citizen:
            continue
        out[rule.stage] = calendar.add(learned_at, rule.within)
    return out


def next_due(stage_due: dict[str, str], state: str) -> datetime | None:
    """The deadline of the next stage an alert in `state` must do (a counter alert that is
    acknowledged goes on to rectify); None when closed."""
    stage = NEXT_STAGE.get(state)
    if stage is None:
        return None
    order = STAGES[STAGES.index(stage) :]
    for name in order:
        if name in stage_due:
            return datetime.fromisoformat(stage_due[name])
    return None


def learn_delay_s(learned_at: datetime, made_at: datetime) -> int:
    """How many seconds after the rating was made the server learned of it."""
    return max(0, round((learned_at - made_at).total_seconds()))


def deadline_fields(
    profile: AlertProfile,
    calendar: WorkCalendar,
    learned_at: datetime,
    made_at: datetime | None,
    *,
    citizen: bool,
) -> dict[str, object]:
    """The deadline columns of a new alert: stages counted from `learned_at`, `due_at` the
    first stage's, and how late the server learned of the rating."""
    stages = stage_deadlines(profile, calendar, learned_at, citizen=citizen)
    stage_due = {name: moment.isoformat() for name, moment in stages.items()}
    due = next_due(stage_due, "open")
    return {
        "created_at": learned_at,
        "rating_made_at": made_at,
        "learn_delay_s": 0 if made_at is None else learn_delay_s(learned_at, made_at),
        "stage_due": stage_due,
        "due_at": due if due is not None else learned_at,
        "escalation_level": 0,
        "escalated": False,
    }


def advance(alert: Alert) -> None:
    """After a step: `due_at` becomes the next stage's deadline (unchanged once closed)."""
    if not alert.stage_due:
        return
    due = next_due(alert.stage_due, alert.state)
    if due is not None:
        alert.due_at = due
