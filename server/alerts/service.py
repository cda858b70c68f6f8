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
from server.audit import service as audit
from server.errors import ApiError, Conflict, NotFound
from server.models import (
    HALL_ROLES,
    READ_ONLY_ROLES,
    Alert,
    AlertCause,
    AlertEvent,
    AlertKind,
    AlertState,
    User,
)
from server.scores.service import month_aggregate
from server.users import repository as users_repository
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


class StepRefused(ApiError):
    """A step whose content is missing: an empty note, no call-back outcome, no cause."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(422, code, message)


#: What each step asks a person to write down; an empty note is refused with this.
NOTE_ASKS = {
    "acknowledge": "say who takes the alert on and what they will do first",
    "call-back": "say who was called and what was said",
    "rectify": "say what was fixed and how",
    "close": "say what the result was",
    "assign": "say what the person should do",
}

#: The alert's fields kept in the audit log before and after each step.
AUDITED = (
    "state",
    "assignee_id",
    "cause",
    "acknowledged_at",
    "called_back_at",
    "rectified_at",
    "closed_at",
    "public_reply",
)


def _audit(
    session: Session,
    user: User,
    alert: Alert,
    hall: str,
    action: str,
    before: dict[str, object],
    now: datetime,
    **extra: object,
) -> None:
    audit.record(
        session,
        user=user,
        action=f"alert.{action}",
        at=now,
        object_type="alert",
        object_id=alert.id,
        hall_id=hall,
        before=before,
        after={**audit.snapshot(alert, AUDITED), **extra},
    )


def act(
    session: Session,
    user: User,
    alert_id: int,
    action: str,
    note: str,
    now: datetime,
    *,
    reached: bool | None = None,
    cause: AlertCause | None = None,
) -> tuple[Alert, str]:
    """Take one step of the workflow (`TRANSITIONS`). Every step needs a note; a call-back
    also says whether the citizen was reached, a close the cause of the low score."""
    transition = TRANSITIONS[action]
    alert, hall = get_visible(session, user, alert_id, for_update=True)
    if AlertState(alert.state) not in transition.allowed_from:
        allowed = ", ".join(sorted(s.value for s in transition.allowed_from))
        raise Conflict(
            "invalid_transition",
            f"cannot {action} an alert that is {alert.state}; it must be {allowed}",
        )
    note = note.strip()
    if not note:
        raise StepRefused("note_required", f"the note is empty: {NOTE_ASKS[action]}")
    detail: dict[str, object] | None = None
    if action == "call-back":
        if reached is None:
            raise StepRefused("reached_required", "say whether the citizen was reached")
        detail = {"reached": reached}
    if action == "close":
        if cause is None:
            causes = ", ".join(c.value for c in AlertCause)
            raise StepRefused("cause_required", f"give the cause of the low score: {causes}")
        detail = {"cause": cause.value}
    before = audit.snapshot(alert, AUDITED)
    alert.state = transition.to.value
    setattr(alert, transition.stamp, now)
    if cause is not None and action == "close":
        alert.cause = cause.value
    session.add(
        AlertEvent(
            alert_id=alert.id, user_id=user.id, action=action, note=note, detail=detail, at=now
        )
    )
    session.flush()
    _audit(session, user, alert, hall, action, before, now, note=note, **(detail or {}))
    return alert, hall


def assignable_users(session: Session, hall_id: str) -> list[User]:
    """Who an alert of `hall_id` may be assigned to: active writers who see that hall."""
    return [
        u
        for u in users_repository.active_users(session)
        if u.role not in READ_ONLY_ROLES and visible_hall(u) in (None, hall_id)
    ]


def assign(
    session: Session, user: User, alert_id: int, assignee_id: int, note: str, now: datetime
) -> tuple[Alert, str]:
    """Give the alert to a person who may work it (note: what they should do)."""
    alert, hall = get_visible(session, user, alert_id, for_update=True)
    if alert.state == AlertState.CLOSED.value:
        raise Conflict("invalid_transition", "a closed alert is not assigned")
    note = note.strip()
    if not note:
        raise StepRefused("note_required", f"the note is empty: {NOTE_ASKS['assign']}")
    if assignee_id not in {u.id for u in assignable_users(session, hall)}:
        raise StepRefused("bad_assignee", "that user may not work this hall's alerts")
    before = audit.snapshot(alert, AUDITED)
    alert.assignee_id = assignee_id
    detail = {"assignee_id": assignee_id}
    session.add(
        AlertEvent(
            alert_id=alert.id, user_id=user.id, action="assign", note=note, detail=detail, at=now
        )
    )
    session.flush()
    _audit(session, user, alert, hall, "assign", before, now, note=note)
    return alert, hall


def publish_reply(
    session: Session, user: User, alert_id: int, reply: str, now: datetime
) -> tuple[Alert, str]:
    """Publish (or replace) what the citizen reads about a low score on its receipt page."""
    alert, hall = get_visible(session, user, alert_id, for_update=True)
    if alert.kind != AlertKind.LOW_SCORE.value:
        raise Conflict("no_citizen", "only a low-score alert has a citizen to reply to")
    reply = reply.strip()
    if not reply:
        raise StepRefused("reply_required", "the reply is empty: say what was done")
    before = audit.snapshot(alert, AUDITED)
    alert.public_reply = reply
    alert.public_reply_at = now
    session.add(AlertEvent(alert_id=alert.id, user_id=user.id, action="reply", note=reply, at=now))
    session.flush()
    _audit(session, user, alert, hall, "reply", before, now)
    return alert, hall


def escalate_overdue(session: Session, now: datetime) -> int:
    """Mark alerts past their due time and not closed as escalated; how many were."""
    return repository.escalate_overdue(session, now)
