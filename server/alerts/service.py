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
from server.notify import outbox
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
    profile: AlertProfile,
    calendar: WorkCalendar,
) -> list[dict[str, object]]:
    """Rows for the alerts of newly stored low scores: deadlines count from `now`, when the
    server learned of them, not from when they were made (an offline hall's late ratings
    are not overdue on arrival)."""
    # Every alert of a batch is learned of at `now`: one set of deadlines serves them all.
    shared = deadlines.deadline_fields(profile, calendar, now, None, citizen=True)
    return [
        {
            "kind": AlertKind.LOW_SCORE.value,
            "counter_id": counter_id,
            "rating_id": rating_id,
            "period": rating_id,
            "state": AlertState.OPEN.value,
            **shared,
            "rating_made_at": occurred_at,
            "learn_delay_s": deadlines.learn_delay_s(now, occurred_at),
        }
        for rating_id, occurred_at in low_ratings
    ]


def raise_alerts(
    session: Session,
    counter_id: str,
    low_ratings: list[tuple[str, datetime]],
    months: Mapping[date, Aggregate],
    now: datetime,
    config: ScoringConfig,
) -> None:
    """Alerts for new low scores, a counter alert for each month touched whose low-score
    rate now exceeds the limit (one per counter and month), a surge alert when the
    counter's recent low scores pass the hall's surge rule; and their notifications.

    `months` holds the counter's aggregate of each month the new ratings fall in, by the
    month's first day: the caller reads them from the scores, alerts only judge them.
    """
    rows: list[dict[str, object]] = []
    clock: tuple[str, AlertProfile, WorkCalendar] | None = None
    if low_ratings:
        clock = profiles.clock_of_counter(session, counter_id, config)
        rows = low_score_alert_rows(counter_id, low_ratings, now, clock[1], clock[2])
    for month, aggregate in sorted(months.items()):
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
    deadlines.advance(alert)
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


def escalate_overdue(session: Session, now: datetime, config: ScoringConfig) -> int:
    """Escalate alerts past their current deadline one level up the hall's chain and queue
    the notifications (server/alerts/chain.py); how many went up."""
    chain.warn_nearing(session, now, config)
    return chain.escalate(session, now, config)
