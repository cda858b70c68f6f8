"""Queries of the matter catalog, counters' rosters and service sessions (never commit)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.models import Counter, Matter, Rating, ServiceSession, SessionRating, Staff


def list_matters(session: Session, *, include_disabled: bool = False) -> list[Matter]:
    query = select(Matter).order_by(Matter.code)
    if not include_disabled:
        query = query.where(Matter.active.is_(True))
    return list(session.scalars(query))


def get_matter(session: Session, code: str) -> Matter | None:
    return session.get(Matter, code)


def on_roster(session: Session, counter_id: str, staff_ids: Collection[str]) -> set[str]:
    """Those of `staff_ids` on the counter's roster: active staff of its hall placed at
    this counter or at no counter in particular (floating staff of the hall)."""
    if not staff_ids:
        return set()
    hall_id = select(Counter.hall_id).where(Counter.id == counter_id).scalar_subquery()
    return set(
        session.scalars(
            select(Staff.id).where(
                Staff.id.in_(list(staff_ids)),
                Staff.active.is_(True),
                Staff.hall_id == hall_id,
                or_(Staff.counter_id == counter_id, Staff.counter_id.is_(None)),
            )
        )
    )


def sessions_between(
    session: Session, counter_ids: Collection[str], since: datetime, until: datetime
) -> list[tuple[ServiceSession, str | None, int | None]]:
    """Sessions of the counters that ended in [since, until), each with the id of its
    counted rating (None when unrated) and its matter's standard minutes (None when the
    matter is not in the catalog)."""
    rows = session.execute(
        select(ServiceSession, SessionRating.rating_id, Matter.standard_minutes)
        .outerjoin(SessionRating, SessionRating.session_id == ServiceSession.id)
        .outerjoin(Matter, Matter.code == ServiceSession.matter_code)
        .where(
            ServiceSession.counter_id.in_(list(counter_ids)),
            ServiceSession.ended_at >= since,
            ServiceSession.ended_at < until,
        )
        .order_by(ServiceSession.ended_at)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def ratings_of_session(session: Session, session_id: str) -> list[Rating]:
    """Every rating stored for a session, the counted one and any excluded later copies,
    in the order the server received them."""
    return list(
        session.scalars(
            select(Rating)
            .where(Rating.session_id == session_id)
            .order_by(Rating.received_at, Rating.id)
        )
    )
