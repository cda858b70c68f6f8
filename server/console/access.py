"""What a signed-in user may see: every console view fetches halls, counters, alerts and
devices through these helpers, which look only inside the user's halls and answer 404 for
everything else (another hall's objects are reported missing, not forbidden)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.alerts import service as alerts
from server.errors import NotFound
from server.halls import repository as halls
from server.models import Alert, Counter, Device, Hall, User


def visible_hall(user: User) -> str | None:
    """The one hall a hall-bound user sees; None when the user sees every hall."""
    return alerts.visible_hall(user)


def halls_for_user(session: Session, user: User) -> list[Hall]:
    own = visible_hall(user)
    if own is None:
        return halls.list_halls(session)
    hall = halls.get_hall(session, own)
    return [hall] if hall is not None else []


def hall_for_user(session: Session, user: User, hall_id: str | None) -> Hall:
    """The hall asked for (or the user's first hall when none is asked), if the user may
    see it; 404 otherwise."""
    if hall_id is None:
        mine = halls_for_user(session, user)
        if not mine:
            raise NotFound("hall")
        return mine[0]
    own = visible_hall(user)
    hall = halls.get_hall(session, hall_id)
    if hall is None or own not in (None, hall.id):
        raise NotFound("hall")
    return hall


def counter_for_user(session: Session, user: User, counter_id: str) -> Counter:
    counter = halls.get_counter(session, counter_id)
    own = visible_hall(user)
    if counter is None or own not in (None, counter.hall_id):
        raise NotFound("counter")
    return counter


def alert_for_user(
    session: Session, user: User, alert_id: int, *, for_update: bool = False
) -> tuple[Alert, str]:
    """The alert and its hall id (the same rule the API uses)."""
    return alerts.get_visible(session, user, alert_id, for_update=for_update)


def device_for_user(session: Session, user: User, device_id: str) -> tuple[Device, Counter]:
    row = session.execute(
        select(Device, Counter)
        .join(Counter, Counter.id == Device.counter_id)
        .where(Device.id == device_id)
    ).one_or_none()
    own = visible_hall(user)
    if row is None or own not in (None, row[1].hall_id):
        raise NotFound("device")
    return row[0], row[1]
