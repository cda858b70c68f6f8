"""Rectification orders (整改): opened when a closed month finds a counter over the
low-score limit with enough ratings, worked like an alert (owner, deadline, required
actions, outcome), then re-measured on the dimension concerned for some weeks; the order
reopens if the problem comes back there, and closes when the weeks pass without it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from server.audit.service import record, snapshot
from server.models import Rating, Rectification, RectificationState, User
from sync.scoring import ScoringConfig

#: Days an owner has to rectify, from the order's opening (or reopening).
RECTIFY_DAYS = 14
#: Weeks a rectified counter is re-measured on the dimension concerned.
REMEASURE_WEEKS = 4
#: A dimension rated below this many stars counts as a low mark on it.
LOW_STARS_BELOW = 3

_FIELDS = ("state", "owner", "due_at", "actions", "outcome", "rectified_at", "remeasure_until")


class RectificationError(ValueError):
    """A step an order cannot take (an outcome on a closed order, an empty owner, ...)."""


def open_for_month(
    session: Session, figures: dict[str, Any], *, now: datetime
) -> list[Rectification]:
    """One order per counter the month judged over the limit (none twice)."""
    month = figures["period"]["label"]
    existing = set(
        session.scalars(select(Rectification.counter_id).where(Rectification.month == month))
    )
    orders = []
    for counter in figures["counters"]:
        if counter["judgement"] != "over_limit" or counter["id"] in existing:
            continue
        order = Rectification(
            hall_id=figures["hall"]["id"],
            counter_id=counter["id"],
            month=month,
            dimension=counter["weakest_dimension"] or "overall",
            low_rate=f"{Decimal(counter['low_rate']):.4f}",
            state=RectificationState.OPEN.value,
            owner="",
            due_at=now + timedelta(days=RECTIFY_DAYS),
            actions="",
            created_at=now,
            reopened=0,
        )
        session.add(order)
        orders.append(order)
    session.flush()
    return orders


def orders(session: Session, hall_id: str | None = None, limit: int = 200) -> list[Rectification]:
    query = select(Rectification).order_by(Rectification.id.desc()).limit(limit)
    if hall_id is not None:
        query = query.where(Rectification.hall_id == hall_id)
    return list(session.scalars(query))


def get(session: Session, order_id: int, hall_id: str | None) -> Rectification:
    order = session.get(Rectification, order_id)
    if order is None or (hall_id is not None and order.hall_id != hall_id):
        raise LookupError(f"no rectification order {order_id}")
    return order


def record_rectified(
    session: Session,
    order: Rectification,
    *,
    owner: str,
    actions: str,
    outcome: str,
    now: datetime,
    user: User | None,
    username: str = "cli",
) -> Rectification:
    """The owner's actions and outcome: the counter is re-measured from now."""
    if order.state != RectificationState.OPEN.value:
        raise RectificationError(f"order {order.id} is {order.state}, not open")
    owner, actions, outcome = owner.strip(), actions.strip(), outcome.strip()
    if not owner or not actions or not outcome:
        raise RectificationError("an owner, the actions taken and the outcome are all needed")
    before = snapshot(order, _FIELDS)
    order.owner = owner[:200]
    order.actions = actions[:4000]
    order.outcome = outcome[:4000]
    order.state = RectificationState.RECTIFIED.value
    order.rectified_at = now
    order.remeasure_until = now + timedelta(weeks=REMEASURE_WEEKS)
    record(
        session,
        user=user,
        username=None if user else username,
        action="rectification.rectified",
        at=now,
        object_type="rectification",
        object_id=order.id,
        hall_id=order.hall_id,
        before=before,
        after=snapshot(order, _FIELDS),
    )
    return order


def dimension_low_rate(
    session: Session, counter_id: str, dimension: str, start: datetime, end: datetime
) -> tuple[int, int]:
    """(ratings, low marks on `dimension`) at a counter in [start, end)."""
    column = getattr(Rating, dimension)
    total, low = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((column < LOW_STARS_BELOW, 1), else_=0)), 0)
        ).where(
            and_(
                Rating.counter_id == counter_id,
                Rating.occurred_at >= start,
                Rating.occurred_at < end,
            )
        )
    ).one()
    return int(total), int(low)


def remeasure(session: Session, config: ScoringConfig, now: datetime) -> list[Rectification]:
    """Re-measure every rectified order on its dimension: reopen those where the low marks'
    share since rectifying passes the limit over the minimum sample; close those whose
    weeks have passed without it. The orders changed."""
    changed = []
    for order in session.scalars(
        select(Rectification).where(Rectification.state == RectificationState.RECTIFIED.value)
    ):
        if order.rectified_at is None or order.remeasure_until is None:
            continue  # a rectified order always has both; nothing to measure otherwise
        until = min(now, order.remeasure_until)
        total, low = dimension_low_rate(
            session, order.counter_id, order.dimension, order.rectified_at, until
        )
        before = snapshot(order, _FIELDS)
        if (
            total >= config.counter_min_ratings
            and Decimal(low) / total > config.counter_low_rate_limit
        ):
            order.state = RectificationState.OPEN.value
            order.reopened += 1
            order.due_at = now + timedelta(days=RECTIFY_DAYS)
            action = "rectification.reopen"
        elif now >= order.remeasure_until:
            order.state = RectificationState.CLOSED.value
            order.closed_at = now
            action = "rectification.close"
        else:
            continue
        record(
            session,
            user=None,
            username="system",
            action=action,
            at=now,
            object_type="rectification",
            object_id=order.id,
            hall_id=order.hall_id,
            before=before,
            after={**snapshot(order, _FIELDS), "ratings": total, "low_marks": low},
        )
        changed.append(order)
    return changed
