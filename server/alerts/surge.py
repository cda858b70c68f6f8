"""The surge rule: many low scores at one counter in a short window raise a counter alert
at once, so that a hall manager can step in while the queue is still there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from server.alerts import deadlines
from server.alerts.deadlines import AlertProfile, WorkCalendar
from server.models import Alert, AlertKind, AlertState, Rating

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def surge_alert_row(
    session: Session,
    counter_id: str,
    low_times: Sequence[datetime],
    now: datetime,
    profile: AlertProfile,
    calendar: WorkCalendar,
) -> dict[str, object] | None:
    """The row of a surge alert if the counter's ratings in the window ending at its newest
    low score pass the rule, None otherwise. A window that ended before `now - window` is
    history, not a queue to step into: no alert. At most one per counter per window."""
    rule = profile.surge
    if not rule.enabled or not low_times:
        return None
    window = timedelta(minutes=rule.window_minutes)
    latest = max(low_times)
    if latest < now - window:
        return None
    total, low = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Rating.is_low, 1), else_=0)), 0)).where(
            Rating.counter_id == counter_id,
            Rating.occurred_at > latest - window,
            Rating.occurred_at <= latest,
        )
    ).one()
    if total < rule.min_ratings or low < rule.low_share * total:
        return None
    recent = session.scalar(
        select(func.count()).where(
            Alert.counter_id == counter_id,
            Alert.kind == AlertKind.COUNTER_SURGE.value,
            Alert.created_at > now - window,
        )
    )
    if recent:
        return None
    # The window's slot: a second ingest racing this one lands on the same unique period.
    slot = int((latest - _EPOCH) / window)
    return {
        "kind": AlertKind.COUNTER_SURGE.value,
        "counter_id": counter_id,
        "rating_id": None,
        "period": f"surge:{(_EPOCH + slot * window).isoformat()}",
        "state": AlertState.OPEN.value,
        **deadlines.deadline_fields(profile, calendar, now, None, citizen=False),
    }
