"""Creating halls, counters and staff (the CLI and the demo use these)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from server.halls import repository
from server.models import Counter, Hall, Staff

# The same shape protocol v1 accepts for counter_id / staff_id (sync.protocol.Name), but
# stricter: ids are typed on the command line and printed in QR codes.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class HallError(ValueError):
    """A hall, counter or staff member that cannot be created as asked."""


def _check_id(kind: str, value: str) -> None:
    if not _ID.match(value):
        raise HallError(
            f"{kind} id {value!r} must be 1–64 letters, digits, '_', '.', '-' "
            "starting with a letter or digit"
        )


def _check_name(value: str) -> None:
    if not value.strip() or len(value) > 200 or "\x00" in value:
        raise HallError("a name is 1–200 characters")


def add_hall(session: Session, hall_id: str, name: str, timezone: str, now: datetime) -> Hall:
    _check_id("hall", hall_id)
    _check_name(name)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HallError(f"unknown timezone {timezone!r}") from None
    if repository.get_hall(session, hall_id) is not None:
        raise HallError(f"hall {hall_id!r} already exists")
    hall = Hall(id=hall_id, name=name, timezone=timezone, created_at=now)
    session.add(hall)
    session.flush()
    return hall


def add_counter(
    session: Session, hall_id: str, counter_id: str, name: str, now: datetime
) -> Counter:
    _check_id("counter", counter_id)
    _check_name(name)
    if repository.get_hall(session, hall_id) is None:
        raise HallError(f"no hall {hall_id!r}; add it first with `hallrate-server hall add`")
    if repository.get_counter(session, counter_id) is not None:
        raise HallError(f"counter {counter_id!r} already exists")
    counter = Counter(id=counter_id, hall_id=hall_id, name=name, created_at=now)
    session.add(counter)
    session.flush()
    return counter


def add_staff(
    session: Session,
    hall_id: str,
    staff_id: str,
    name: str,
    counter_id: str | None,
    now: datetime,
) -> Staff:
    _check_id("staff", staff_id)
    _check_name(name)
    if repository.get_hall(session, hall_id) is None:
        raise HallError(f"no hall {hall_id!r}")
    if counter_id is not None:
        counter = repository.get_counter(session, counter_id)
        if counter is None or counter.hall_id != hall_id:
            raise HallError(f"no counter {counter_id!r} in hall {hall_id!r}")
    if repository.get_staff(session, staff_id) is not None:
        raise HallError(f"staff member {staff_id!r} already exists")
    staff = Staff(id=staff_id, hall_id=hall_id, counter_id=counter_id, name=name, created_at=now)
    session.add(staff)
    session.flush()
    return staff
