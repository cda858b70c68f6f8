"""Alerts: raised at ingest, worked by supervisors, escalated when overdue.

States go open -> acknowledged -> called_back -> rectified -> closed; a counter alert (no
citizen to call) and a low score left without contact may go from acknowledged straight to
rectified. An alert not closed by its due time is escalated (a flag; its state stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from server.alerts import repository
from server.errors import Conflict, NotFound
from server.models import HALL_ROLES, Alert, AlertEvent, AlertKind, AlertState, User
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
    config: ScoringConfig,
) -> list[dict[str, object]]:
    """Rows for the alerts of newly stored low scores: due a deadline after the rating."""
    deadline = timedelta(hours=config.alert_deadline_hours)
    return [
        {
            "kind": AlertKind.LOW_SCORE.value,
            "counter_id": counter_id,
            "rating_id": rating_id,
            "period": rating_id,
            "state": AlertState.OPEN.value,
            "created_at": now,
            "due_at": occurred_at + deadline,
            "escalated": False,
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
    """Alerts for new low scores, and a counter alert for each month touched whose low-score
    rate now exceeds the limit (one per counter and month).

    `known` holds the counter's aggregates of months the caller has already read (by their
    first day), so they are not read again.
    """
    rows = low_score_alert_rows(counter_id, low_ratings, now, config)
    deadline = timedelta(hours=config.alert_deadline_hours)
    known = known or {}
    for month in sorted(set(months)):
        aggregate = known.get(month)
        if aggregate is None:
            aggregate = month_aggregate(session, counter_id, month)
        if aggregate.must_rectify(config):
            rows.append(
                {
                    "kind": AlertKind.COUNTER_LOW_RATE.value,
                    "counter_id": counter_id,
                    "rating_id": None,
                    "period": month.strftime("%Y-%m"),
                    "state": AlertState.OPEN.value,
                    "created_at": now,
                    "due_at": now + deadline,
                    "escalated": False,
                }
            )
    repository.insert_ignoring_existing(session, rows)


def visible_hall(user: User) -> str | None:
    """The only hall a supervisor or manager sees; None (all halls) for the other roles."""
    return user.hall_id if user.role in HALL_ROLES else None


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


def escalate_overdue(session: Session, now: datetime) -> int:
    """Mark alerts past their due time and not closed as escalated; how many were."""
    return repository.escalate_overdue(session, now)
