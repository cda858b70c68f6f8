"""The escalation chain: supervisor -> hall manager -> supervising office (督查).

An alert whose current stage deadline passes goes up one level; that level has its own
deadline from the hall's profile, and when that passes too, the alert goes up again. Each
step is recorded as an `AlertEvent` and queued to the level's channels; "nears deadline"
warnings go out `warn_hours` before a deadline. Every change is a conditional UPDATE, so
several workers running the pass at once escalate each alert once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from server.alerts import profiles
from server.alerts.deadlines import AlertProfile, WorkCalendar, default_profile
from server.alerts.schemas import BreachForecast
from server.models import Alert, AlertEvent, AlertProfileRow, AlertState, Counter, Role
from server.notify import outbox
from sync.scoring import ScoringConfig

LEVEL_NAMES: dict[int, str] = {
    0: Role.SUPERVISOR.value,
    1: Role.MANAGER.value,
    2: Role.INSPECTOR.value,
}


def current_due(alert: Alert) -> datetime:
    """The deadline the alert is held to now: its stage's, or its escalation level's."""
    if alert.escalation_level and alert.level_due_at is not None:
        return alert.level_due_at
    return alert.due_at


def _open_with_hall(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[Alert, str]]:
    query = (
        select(Alert, Counter.hall_id)
        .join(Counter, Counter.id == Alert.counter_id)
        .where(Alert.state != AlertState.CLOSED.value, *conditions)
        .order_by(Alert.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def escalate(session: Session, now: datetime, config: ScoringConfig) -> int:
    """One pass: escalate every alert past its current deadline by one level (if its hall's
    chain has one more), queue "overdue" and "escalated"; how many alerts went up."""
    # An alert at the top of its chain whose deadline passed has its `level_due_at`
    # cleared once told, so that it is not looked at again every pass.
    due = _open_with_hall(
        session,
        or_(
            and_(Alert.escalated.is_(False), Alert.due_at < now),
            and_(Alert.escalation_level > 0, Alert.level_due_at < now),
        ),
    )
    clocks: dict[str, tuple[AlertProfile, WorkCalendar]] = {}
    went_up: list[Alert] = []
    overdue_by_detail: dict[str, list[Alert]] = defaultdict(list)
    for alert, hall_id in due:
        if hall_id not in clocks:
            clocks[hall_id] = profiles.clock_of_hall(session, hall_id, config)
        profile, calendar = clocks[hall_id]
        missed = current_due(alert)
        overdue_by_detail[missed.isoformat()].append(alert)
        level = alert.escalation_level
        if level >= len(profile.escalation):
            # Nobody above: the alert stays overdue where it is.
            _mark_top(session, alert, now)
            continue
        nxt = profile.escalation[level]
        level_due = calendar.add(now, nxt.within)
        if _mark_escalated(session, alert, level, level + 1, level_due, now):
            session.add(
                AlertEvent(
                    alert_id=alert.id,
                    user_id=None,
                    action="escalated",
                    note=f"to {nxt.role}: the {LEVEL_NAMES.get(level, '?')} deadline "
                    f"{missed.isoformat()} passed",
                    at=now,
                )
            )
            went_up.append(alert)
    session.flush()
    for detail, alerts in overdue_by_detail.items():
        # Told to the level that missed it; the alerts may have moved up since.
        for alert in alerts:
            missed_level = alert.escalation_level - (1 if alert in went_up else 0)
            outbox.queue(
                session,
                [alert],
                "overdue",
                now,
                roles=(LEVEL_NAMES.get(missed_level, Role.INSPECTOR.value),),
                detail=detail,
            )
    for alert in went_up:
        outbox.queue(session, [alert], "escalated", now, detail=str(alert.escalation_level))
    return len(went_up)


def _mark_top(session: Session, alert: Alert, now: datetime) -> None:
    values: dict[str, object] = {"escalated": True, "level_due_at": None}
    if not alert.escalated:
        values["escalated_at"] = now
    session.execute(
        update(Alert)
        .where(Alert.id == alert.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _mark_escalated(
    session: Session,
    alert: Alert,
    level: int,
    new_level: int,
    level_due: datetime | None,
    now: datetime,
) -> bool:
    values: dict[str, object] = {"escalated": True, "escalation_level": new_level}
    if not alert.escalated:
        values["escalated_at"] = now
    if level_due is not None:
        values["level_due_at"] = level_due
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.escalation_level == level)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False  # another worker was first
    session.refresh(alert)
    return True


def warn_nearing(session: Session, now: datetime, config: ScoringConfig) -> int:
    """Queue "nears_deadline" for alerts whose current deadline is within their hall's
    `warn_hours`; once per deadline. How many rows were queued."""
    soon = now + _warn_lookahead(session, config)
    candidates = _open_with_hall(
        session,
        or_(
            and_(Alert.escalation_level == 0, Alert.due_at > now, Alert.due_at <= soon),
            and_(Alert.escalation_level > 0, Alert.level_due_at > now, Alert.level_due_at <= soon),
        ),
    )
    warn: dict[str, timedelta] = {}
    queued = 0
    for alert, hall_id in candidates:
        if hall_id not in warn:
            profile = profiles.profile_for(session, hall_id, config)
            warn[hall_id] = timedelta(hours=float(profile.warn_hours))
        due = current_due(alert)
        if due - now <= warn[hall_id]:
            queued += outbox.queue(session, [alert], "nears_deadline", now, detail=due.isoformat())
    return queued


def _warn_lookahead(session: Session, config: ScoringConfig) -> timedelta:
    """The largest `warn_hours` of any hall: how far ahead to look for nearing deadlines."""
    hours = [default_profile(config).warn_hours]
    for document in session.scalars(select(AlertProfileRow.profile)):
        hours.append(AlertProfile.model_validate(document).warn_hours)
    return timedelta(hours=float(max(hours)))


def forecast_breaches(
    session: Session, now: datetime, within_hours: float, *, hall_id: str | None = None
) -> list[BreachForecast]:
    """Open alerts that will miss their current deadline within `within_hours` (not those
    already past it), soonest first."""
    horizon = now + timedelta(hours=within_hours)
    conditions: list[ColumnElement[bool]] = [
        or_(
            and_(Alert.escalation_level == 0, Alert.due_at > now, Alert.due_at <= horizon),
            and_(
                Alert.escalation_level > 0,
                Alert.level_due_at > now,
                Alert.level_due_at <= horizon,
            ),
        )
    ]
    if hall_id is not None:
        conditions.append(Counter.hall_id == hall_id)
    out = [
        BreachForecast(
            alert_id=alert.id,
            hall_id=hall,
            counter_id=alert.counter_id,
            kind=alert.kind,
            state=alert.state,
            held_by=LEVEL_NAMES.get(alert.escalation_level, Role.INSPECTOR.value),
            due_at=current_due(alert),
            hours_left=round((current_due(alert) - now).total_seconds() / 3600, 2),
        )
        for alert, hall in _open_with_hall(session, *conditions)
    ]
    return sorted(out, key=lambda b: (b.due_at, b.alert_id))
