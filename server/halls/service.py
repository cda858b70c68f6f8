"""Halls, counters and staff: add, list, edit, disable, and staff photos. The CLI, the
console's administration pages and the demo all call these.

Edits return a `Change` (the record before and after) for the audit log. Disabling keeps
history: a disabled hall or counter keeps its ratings, alerts and figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from server.audit import service as audit
from server.halls import photos, repository
from server.models import Counter, Hall, Staff, User
from server.problems import Phrase, Problem, phrase

# The same shape protocol v1 accepts for counter_id / staff_id (sync.protocol.Name), but
# stricter: ids are typed on the command line and printed in QR codes.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class HallError(Problem):
    """A hall, counter or staff member that cannot be created as asked."""


def _check_id(kind: str, value: str) -> None:
    if not _ID.match(value):
        raise HallError(
            "{kind} id {value!r} must be 1–64 letters, digits, '_', '.', '-' "
            "starting with a letter or digit",
            kind=phrase(kind),
            value=value,
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
        raise HallError("unknown timezone {timezone!r}", timezone=timezone) from None
    if repository.get_hall(session, hall_id) is not None:
        raise HallError("hall {hall!r} already exists", hall=hall_id)
    hall = Hall(id=hall_id, name=name, timezone=timezone, created_at=now)
    session.add(hall)
    session.flush()
    return hall


def add_counter(
    session: Session, hall_id: str, counter_id: str, name: str, now: datetime
) -> Counter:
    _check_id("counter", counter_id)
    _check_name(name)
    _active_hall(session, hall_id, phrase("add it first with `hallrate-server hall add`"))
    if repository.get_counter(session, counter_id) is not None:
        raise HallError("counter {counter!r} already exists", counter=counter_id)
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
    _active_hall(session, hall_id)
    _check_counter_of(session, hall_id, counter_id)
    if repository.get_staff(session, staff_id) is not None:
        raise HallError("staff member {staff!r} already exists", staff=staff_id)
    staff = Staff(id=staff_id, hall_id=hall_id, counter_id=counter_id, name=name, created_at=now)
    session.add(staff)
    session.flush()
    return staff


@dataclass(frozen=True)
class Change:
    """What an edit changed, for the audit log: the record's fields before and after."""

    kind: str
    id: str
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def snapshot(record: Hall | Counter | Staff) -> dict[str, Any]:
    """The fields of a hall, counter or staff member an administrator can change."""
    if isinstance(record, Hall):
        return {"name": record.name, "timezone": record.timezone, "active": record.active}
    if isinstance(record, Counter):
        return {"hall_id": record.hall_id, "name": record.name, "active": record.active}
    return {
        "hall_id": record.hall_id,
        "counter_id": record.counter_id,
        "name": record.name,
        "active": record.active,
        "photo_sha256": record.photo_sha256,
    }


def _active_hall(session: Session, hall_id: str, hint: Phrase | None = None) -> Hall:
    hall = repository.get_hall(session, hall_id)
    if hall is None:
        if hint is not None:
            raise HallError("no hall {hall!r}; {hint}", hall=hall_id, hint=hint)
        raise HallError("no hall {hall!r}", hall=hall_id)
    if not hall.active:
        raise HallError("hall {hall!r} is disabled", hall=hall_id)
    return hall


def _check_counter_of(session: Session, hall_id: str, counter_id: str | None) -> None:
    if counter_id is None:
        return
    counter = repository.get_counter(session, counter_id)
    if counter is None or counter.hall_id != hall_id:
        raise HallError("no counter {counter!r} in hall {hall!r}", counter=counter_id, hall=hall_id)


def require_hall(session: Session, hall_id: str) -> Hall:
    hall = repository.get_hall(session, hall_id)
    if hall is None:
        raise HallError("no hall {hall!r}", hall=hall_id)
    return hall


def require_counter(session: Session, counter_id: str) -> Counter:
    counter = repository.get_counter(session, counter_id)
    if counter is None:
        raise HallError("no counter {counter!r}", counter=counter_id)
    return counter


def require_staff(session: Session, staff_id: str) -> Staff:
    staff = repository.get_staff(session, staff_id)
    if staff is None:
        raise HallError("no staff member {staff!r}", staff=staff_id)
    return staff


def edit_hall(
    session: Session,
    hall_id: str,
    *,
    name: str | None = None,
    timezone: str | None = None,
    active: bool | None = None,
) -> Change:
    """Rename a hall, change its timezone, disable or enable it."""
    hall = require_hall(session, hall_id)
    before = snapshot(hall)
    if name is not None:
        _check_name(name)
        hall.name = name.strip()
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HallError("unknown timezone {timezone!r}", timezone=timezone) from None
        hall.timezone = timezone
    if active is not None:
        hall.active = active
    session.flush()
    return Change("hall", hall.id, before, snapshot(hall))


def edit_counter(
    session: Session,
    counter_id: str,
    *,
    name: str | None = None,
    active: bool | None = None,
) -> Change:
    """Rename a counter, disable or enable it. A disabled counter gets no enrollment code;
    its kiosk is not revoked here (that is a separate action), so ratings it still holds
    are delivered."""
    counter = require_counter(session, counter_id)
    before = snapshot(counter)
    if name is not None:
        _check_name(name)
        counter.name = name.strip()
    if active is not None:
        if active and not counter.active:
            _active_hall(session, counter.hall_id)
        counter.active = active
    session.flush()
    return Change("counter", counter.id, before, snapshot(counter))


#: Passed as `counter_id` to `edit_staff` to leave the counter unchanged.
KEEP: Any = object()


def edit_staff(
    session: Session,
    staff_id: str,
    *,
    name: str | None = None,
    counter_id: str | None = KEEP,
    active: bool | None = None,
) -> Change:
    """Rename staff, move them to another counter of their hall (None: no counter), disable
    or enable them. Disabled staff leave the kiosks' staff list on the next sync."""
    staff = require_staff(session, staff_id)
    before = snapshot(staff)
    if name is not None:
        _check_name(name)
        staff.name = name.strip()
    if counter_id is not KEEP:
        _check_counter_of(session, staff.hall_id, counter_id)
        staff.counter_id = counter_id
    if active is not None:
        staff.active = active
    session.flush()
    return Change("staff", staff.id, before, snapshot(staff))


def set_staff_photo(
    session: Session, staff_id: str, data: bytes | None, photo_dir: Path, max_bytes: int
) -> Change:
    """Check, re-encode and store a staff photo (None removes it). Kiosks fetch the new
    photo after their next sync. Raises `photos.PhotoError` for a refused upload."""
    staff = require_staff(session, staff_id)
    before = snapshot(staff)
    if data is None:
        staff.photo_sha256 = None
    else:
        staff.photo_sha256 = photos.store(photo_dir, photos.normalize(data, max_bytes))
    session.flush()
    return Change("staff", staff.id, before, snapshot(staff))


def list_staff(
    session: Session, hall_id: str | None = None, *, include_disabled: bool = True
) -> list[Staff]:
    return repository.list_staff(session, hall_id, include_disabled=include_disabled)


def record_change(
    session: Session,
    change: Change,
    *,
    action: str,
    user: User | None,
    at: datetime,
    username: str | None = None,
) -> None:
    """Put `change` in the audit log (`username` names the actor when there is no user,
    e.g. "cli"), in the caller's transaction."""
    hall_id = change.id if change.kind == "hall" else change.after.get("hall_id")
    audit.record(
        session,
        user=user,
        username=username,
        action=action,
        at=at,
        object_type=change.kind,
        object_id=change.id,
        hall_id=hall_id,
        before=change.before or None,
        after=change.after,
    )
