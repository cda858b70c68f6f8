"""Device queries."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.models import Counter, Device, Hall


def by_token_hash(session: Session, token_hash: str) -> Device | None:
    return session.scalars(select(Device).where(Device.token_hash == token_hash)).one_or_none()


def lock(session: Session, device_id: str) -> Device:
    """The device row, locked until the transaction ends (concurrent syncs of one device
    update its seq bookkeeping one after the other)."""
    return session.scalars(
        select(Device)
        .where(Device.id == device_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_with_hall(session: Session, device_id: str) -> tuple[Device, Hall]:
    """`lock`, and the hall of the device's counter, in one query."""
    row = session.execute(
        select(Device, Hall)
        .join(Counter, Counter.id == Device.counter_id)
        .join(Hall, Hall.id == Counter.hall_id)
        .where(Device.id == device_id)
        .with_for_update(of=Device)
        .execution_options(populate_existing=True)
    ).one()
    return row[0], row[1]


def deactivate_for_counter(session: Session, counter_id: str) -> int:
    result = session.execute(
        update(Device)
        .where(Device.counter_id == counter_id, Device.active.is_(True))
        .values(active=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def list_devices(session: Session, hall_id: str | None = None) -> list[Device]:
    query = select(Device).order_by(Device.counter_id, Device.enrolled_at)
    if hall_id is not None:
        query = query.join(Counter, Counter.id == Device.counter_id).where(
            Counter.hall_id == hall_id
        )
    return list(session.scalars(query))
