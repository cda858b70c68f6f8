"""Alerts: raised at ingest, worked by supervisors, escalated when overdue.

States go open -> acknowledged -> called_back -> rectified -> closed; a counter alert (no
citizen to call) and a low score left without contact may go from acknowledged straight to
rectified. An alert not closed by its due time is escalated (a flag; its state stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from server.alerts import chain, deadlines, profiles, repository, surge
from server.alerts.deadlines import AlertProfile, WorkCalendar
from server.errors import Conflict, NotFound
from server.models import Alert, AlertEvent, AlertKind, AlertState, Role, User
from server.notify import outbox
from server.scores.service import month_aggregate
from sync.scoring import Aggregate, ScoringConfig


@dataclass(frozen=True)
class Transition:
    action: str
    allowed_from: frozenset[AlertState]
    to: AlertState
    stamp: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "acknowledge", frozenset({AlertState.OPEN}), AlertState.ACKNOWLEDGED, "acknowledged_at"
        ),
        Transition(
            "call-back",
            frozenset({AlertState.ACKNOWLEDGED}),
            AlertState.CALLED_BACK,
            "called_back_at",
        ),
        Transition(
            "rectify",
            frozenset({AlertState.ACKNOWLEDGED, AlertState.CALLED_BACK}),
            AlertState.RECTIFIED,
            "rectified_at",
        ),
        Transition("close", frozenset({AlertState.RECTIFIED}), AlertState.CLOSED, "closed_at"),
    )
}


def low_score_alert_rows(
    counter_id: str,
    low_ratings: Iterable[tuple[str, datetime]],
    now: datetime,
    profile: AlertProfile,
    calendar: WorkCalendar,
) -> list[dict[str, object]]:
    """Rows for the alerts of newly stored low scores: deadlines count from `now`, when the
    server learned of them, not from when they were made (an offline hall's late ratings
    are not overdue on arrival)."""
    return [
        {
            "kind": AlertKind.LOW_SCORE.value,
            "counter_id": counter_id,
            "rating_id": rating_id,
            "period": rating_id,
            "state": AlertState.OPEN.value,
            **deadlines.deadline_fields(profile, calendar, now, occurred_at, citizen=True),
        }
        for rating_id, occurred_at in low_ratings
    ]


def raise_alerts(
    session: Session,
    counter_id: str,
    low_ratings: list[tuple[str, datetime]],
    months: Iterable[date],
    now: datetime,
    config: ScoringConfig,
    known: Mapping[date, Aggregate] | None = None,
) -> None:
    """Alerts for new low scores, a counter alert for each month touched whose low-score
    rate now exceeds the limit (one per counter and month), a surge alert when the
    counter's recent low scores pass the hall's surge rule; and their notifications.

    `known` holds the counter's aggregates of months the caller has already read (by their
    first day), so they are not read again.
    """
    rows: list[dict[str, object]] = []
    known = known or {}
    clock: tuple[str, AlertProfile, WorkCalendar] | None = None
    if low_ratings:
        clock = profiles.clock_of_counter(session, counter_id, config)
        rows = low_score_alert_rows(counter_id, low_ratings, now, clock[1], clock[2])
    for month in sorted(set(months)):
        aggregate = known.get(month)
        if aggregate is None:
            aggregate = month_aggregate(session, counter_id, month)
        if aggregate.must_rectify(config):
            clock = clock or profiles.clock_of_counter(session, counter_id, config)
            rows.append(
                {
                    "kind": AlertKind.COUNTER_LOW_RATE.value,
                    "counter_id": counter_id,
                    "rating_id": None,
                    "period": month.strftime("%Y-%m"),
                    "state": AlertState.OPEN.value,
                    **deadlines.deadline_fields(clock[1], clock[2], now, None, citizen=False),
                }
            )
    if clock is not None and low_ratings:
        surge_row = surge.surge_alert_row(
            session, counter_id, [t for _, t in low_ratings], now, clock[1], clock[2]
        )
        if surge_row is not None:
            rows.append(surge_row)
    repository.insert_ignoring_existing(session, rows)
    if clock is not None and rows:
        outbox.queue_raised(session, clock[0], counter_id, now)


def visible_hall(user: User) -> str | None:
    """The only hall a supervisor sees; None (all halls) for admins and auditors."""
    return user.hall_id if user.role in (Role.SUPERVISOR, Role.MANAGER) else None


def get_visible(
    session: Session, user: User, alert_id: int, *, for_update: bool = False
) -> tuple[Alert, str]:
    alert = repository.get(session, alert_id, for_update=for_update)
    if alert is None:
        raise NotFound("alert")
    hall = repository.hall_of(session, alert)
    # Another hall's alert is reported as missing, not forbidden: its existence is not ours.
    if visible_hall(user) not in (None, hall):
        raise NotFound("alert")
    return alert, hall


def act(
    session: Session, user: User, alert_id: int, action: str, note: str, now: datetime
) -> tuple[Alert, str]:
    transition = TRANSITIONS[action]
    alert, hall = get_visible(session, user, alert_id, for_update=True)
    if AlertState(alert.state) not in transition.allowed_from:
        allowed = ", ".join(sorted(s.value for s in transition.allowed_from))
        raise Conflict(
            "invalid_transition",
            f"cannot {action} an alert that is {alert.state}; it must be {allowed}",
        )
    alert.state = transition.to.value
    setattr(alert, transition.stamp, now)
    deadlines.advance(alert)
    session.add(AlertEvent(alert_id=alert.id, user_id=user.id, action=action, note=note, at=now))
    session.flush()
    return alert, hall


def publish_reply(
    session: Session, user: User, alert_id: int, reply: str, now: datetime
) -> tuple[Alert, str]:
    """Publish (or replace) what the citizen reads about a low score on its receipt page."""
    alert, hall = get_visible(session, user, alert_id, for_update=True)
    if alert.kind != AlertKind.LOW_SCORE.value:
        raise Conflict("no_citizen", "only a low-score alert has a citizen to reply to")
    alert.public_reply = reply
    alert.public_reply_at = now
    session.add(AlertEvent(alert_id=alert.id, user_id=user.id, action="reply", note=reply, at=now))
    session.flush()
    return alert, hall


def escalate_overdue(session: Session, now: datetime, config: ScoringConfig) -> int:
    """Escalate alerts past their current deadline one level up the hall's chain and queue
    the notifications (server/alerts/chain.py); how many went up."""
    chain.warn_nearing(session, now, config)
    return chain.escalate(session, now, config)
