"""Hall, counter and staff queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Counter, Hall, Staff


def get_hall(session: Session, hall_id: str) -> Hall | None:
    return session.get(Hall, hall_id)


def get_counter(session: Session, counter_id: str) -> Counter | None:
    return session.get(Counter, counter_id)


def get_staff(session: Session, staff_id: str) -> Staff | None:
    return session.get(Staff, staff_id)


def hall_of_counter(session: Session, counter_id: str) -> Hall | None:
    return session.scalars(
        select(Hall).join(Counter, Counter.hall_id == Hall.id).where(Counter.id == counter_id)
    ).one_or_none()


def list_halls(session: Session, *, include_disabled: bool = True) -> list[Hall]:
    query = select(Hall).order_by(Hall.id)
    if not include_disabled:
        query = query.where(Hall.active.is_(True))
    return list(session.scalars(query))


def list_counters(
    session: Session, hall_id: str | None = None, *, include_disabled: bool = True
) -> list[Counter]:
    query = select(Counter).order_by(Counter.id)
    if hall_id is not None:
        query = query.where(Counter.hall_id == hall_id)
    if not include_disabled:
        query = query.where(Counter.active.is_(True))
    return list(session.scalars(query))


def list_staff(
    session: Session, hall_id: str | None = None, *, include_disabled: bool = True
) -> list[Staff]:
    query = select(Staff).order_by(Staff.hall_id, Staff.id)
    if hall_id is not None:
        query = query.where(Staff.hall_id == hall_id)
    if not include_disabled:
        query = query.where(Staff.active.is_(True))
    return list(session.scalars(query))
