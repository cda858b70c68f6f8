"""The Alerts pages' reading side: the queue with its filters, and one alert with its
rating, people and timeline. Workflow steps go through server/alerts/service.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.alerts import repository as alerts_repository
from server.alerts import service as alerts_service
from server.models import (
    READ_ONLY_ROLES,
    SCORE_SCALE,
    Alert,
    AlertCause,
    AlertEvent,
    AlertKind,
    AlertState,
    Counter,
    Hall,
    Rating,
    Staff,
    User,
)
from server.privacy.masking import mask_personal_numbers
from server.users import repository as users
from sync.reasons import DEFAULT_REASONS
from sync.scoring import DIMENSIONS, Level

Period = Literal["today", "7d", "30d", "all"]
PERIODS: tuple[Period, ...] = ("today", "7d", "30d", "all")
#: "active": every state but closed (the default view of the queue).
STATE_FILTERS = ("active", *(s.value for s in AlertState), "all")
QUEUE_LIMIT = 100
_REASONS = {r.code: r for r in DEFAULT_REASONS}


@dataclass(frozen=True)
class Filters:
    hall_id: str | None = None
    state: str = "active"
    counter_id: str | None = None
    kind: str | None = None
    period: Period = "all"


@dataclass(frozen=True)
class QueueRow:
    alert: Alert
    hall_id: str
    counter_name: str
    score: float | None
    overdue: bool
    timezone: str


def queue(session: Session, user: User, filters: Filters, now: datetime) -> list[QueueRow]:
    """The alerts `user` may see that match `filters`, at most QUEUE_LIMIT: those not yet
    closed first, soonest deadline first (so the overdue lead); then closed ones, the
    latest deadline first.

    Two queries, one per part, each walking the (state, due_at) index in its order: one
    sort over every alert of a province would cost more than both."""
    active = [s.value for s in AlertState if s is not AlertState.CLOSED]
    if filters.state == "active":
        open_states, with_closed = active, False
    elif filters.state == "all":
        open_states, with_closed = active, True
    elif filters.state == AlertState.CLOSED.value:
        open_states, with_closed = [], True
    else:
        open_states, with_closed = [filters.state], False
    rows: list[QueueRow] = []
    if open_states:
        rows += _part(
            session,
            user,
            filters,
            now,
            Alert.state.in_(open_states),
            (Alert.due_at, Alert.id),
            QUEUE_LIMIT,
        )
    if with_closed and len(rows) < QUEUE_LIMIT:
        rows += _part(
            session,
            user,
            filters,
            now,
            Alert.state == AlertState.CLOSED.value,
            (Alert.due_at.desc(), Alert.id.desc()),
            QUEUE_LIMIT - len(rows),
        )
    return rows


def _part(
    session: Session,
    user: User,
    filters: Filters,
    now: datetime,
    state_clause: ColumnElement[bool],
    order: tuple[Any, ...],
    limit: int,
) -> list[QueueRow]:
    own = alerts_service.visible_hall(user)
    query = (
        select(Alert, Counter.hall_id, Counter.name, Rating.weighted_score, Hall.timezone)
        .join(Counter, Counter.id == Alert.counter_id)
        .join(Hall, Hall.id == Counter.hall_id)
        .outerjoin(Rating, Rating.id == Alert.rating_id)
        .where(state_clause)
    )
    if own is not None:
        query = query.where(Counter.hall_id == own)
    if filters.hall_id is not None:
        query = query.where(Counter.hall_id == filters.hall_id)
    if filters.counter_id is not None:
        query = query.where(Alert.counter_id == filters.counter_id)
    if filters.kind is not None:
        query = query.where(Alert.kind == filters.kind)
    since = {"today": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
    if filters.period in since:
        query = query.where(Alert.created_at >= now - since[filters.period])
    query = query.order_by(*order).limit(limit)
    return [
        QueueRow(
            alert=alert,
            hall_id=hall_id,
            counter_name=counter_name,
            score=None if weighted is None else weighted / SCORE_SCALE,
            overdue=alert.state != AlertState.CLOSED.value and alert.due_at < now,
            timezone=timezone,
        )
        for alert, hall_id, counter_name, weighted, timezone in session.execute(query)
    ]


@dataclass(frozen=True)
class DimensionLine:
    code: str
    name_zh: str
    name_en: str
    stars: int


@dataclass(frozen=True)
class RatingView:
    rating: Rating
    score: float
    level: Level
    dimensions: list[DimensionLine]
    reasons: list[tuple[str, str, str]]  # (code, zh, en)
    staff_name: str | None
    #: The citizen's comment with phone and ID numbers masked: what the page shows.
    comment: str = ""


@dataclass(frozen=True)
class EventView:
    event: AlertEvent
    username: str | None
    assignee: str | None


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    hall: Hall
    counter: Counter
    rating: RatingView | None
    events: list[EventView]
    assignee: str | None
    assignable: list[User]
    #: The workflow steps the alert's state allows now.
    steps: list[str]
    can_write: bool
    overdue: bool
    causes: tuple[str, ...]


def alert_view(
    session: Session, user: User, alert: Alert, hall_id: str, now: datetime
) -> AlertView:
    hall = session.get(Hall, hall_id)
    counter = session.get(Counter, alert.counter_id)
    assert hall is not None  # foreign keys
    assert counter is not None
    rating_view = None
    if alert.rating_id is not None:
        rating = session.get(Rating, alert.rating_id)
        if rating is not None:
            staff = session.get(Staff, rating.staff_id) if rating.staff_id else None
            rating_view = RatingView(
                rating=rating,
                score=rating.weighted_score / SCORE_SCALE,
                level=Level(rating.level),
                dimensions=[
                    DimensionLine(d.code, d.name_zh, d.name_en, int(getattr(rating, d.code)))
                    for d in DIMENSIONS
                ],
                reasons=[
                    (code, _REASONS[code].label_zh, _REASONS[code].label_en)
                    if code in _REASONS
                    else (code, code, code)
                    for code in rating.reasons
                ],
                staff_name=staff.name if staff is not None else rating.staff_id,
                comment=mask_personal_numbers(rating.comment),
            )
    names = {u.id: u.username for u in users.active_users(session)}
    stored_events = alerts_repository.events_of(session, alert.id)
    for event in stored_events:
        if event.user_id is not None and event.user_id not in names:
            found = users.get(session, event.user_id)
            names[event.user_id] = found.username if found else "?"
    events = [
        EventView(
            event=e,
            username=names.get(e.user_id) if e.user_id is not None else None,
            assignee=names.get(int((e.detail or {}).get("assignee_id", 0)) or -1),
        )
        for e in stored_events
    ]
    state = AlertState(alert.state)
    steps = [a for a, t in alerts_service.TRANSITIONS.items() if state in t.allowed_from]
    return AlertView(
        alert=alert,
        hall=hall,
        counter=counter,
        rating=rating_view,
        events=events,
        assignee=names.get(alert.assignee_id) if alert.assignee_id else None,
        assignable=alerts_service.assignable_users(session, hall.id),
        steps=steps,
        can_write=user.role not in READ_ONLY_ROLES,
        overdue=state != AlertState.CLOSED and alert.due_at < now,
        causes=tuple(c.value for c in AlertCause),
    )


def counters_for_filter(session: Session, user: User, hall_id: str | None) -> list[Counter]:
    """The counters to filter by: those of the user's hall, or of the hall chosen; none
    while several halls are shown (a province has hundreds: choose the hall first)."""
    own = alerts_service.visible_hall(user) or hall_id
    if own is None:
        return []
    return list(session.scalars(select(Counter).where(Counter.hall_id == own).order_by(Counter.id)))


KINDS = tuple(k.value for k in AlertKind)
