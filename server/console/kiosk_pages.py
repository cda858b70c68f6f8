"""The Kiosks page: a hall's fleet health, enrollment codes shown as a QR code, revoking
a device. Anyone signed in sees the halls they may see; admins, managers and supervisors
may make codes and revoke devices, in their own hall only (404 elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from server.audit import service as audit
from server.console import access, fleet
from server.console.web import (
    ConsoleForm,
    ConsoleUser,
    ConsoleWriter,
    PageError,
    console_router,
    redirect,
    render,
    settings_of,
)
from server.database import SessionDep
from server.devices import service as devices
from server.enrollment import service as enrollment
from server.halls import repository as halls
from server.models import READ_ONLY_ROLES, Hall, User

router = console_router()

HallQuery = Annotated[str | None, Query(max_length=64)]
DeviceId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f-]+$")]


def _page(
    request: Request,
    db: Session,
    user: User,
    hall: Hall,
    *,
    issued: enrollment.IssuedCode | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    now = datetime.now(UTC)
    counters = [c for c in halls.list_counters(db, hall.id) if c.active]
    issued_counter = next((c for c in counters if issued and c.id == issued.counter_id), None)
    return render(
        request,
        "kiosks.html",
        {
            "hall": hall,
            "halls": access.halls_for_user(db, user),
            "lines": fleet.fleet(db, hall.id, now),
            "counters": counters,
            "duration": fleet.duration,
            "issued": issued,
            "issued_counter": issued_counter,
            "qr": fleet.qr_svg(issued.code) if issued else None,
            "problem": problem,
            "can_change": user.role not in READ_ONLY_ROLES,
        },
        status=status,
    )


@router.get("/kiosks")
def kiosks(request: Request, db: SessionDep, user: ConsoleUser, hall: HallQuery = None) -> Response:
    return _page(request, db, user, access.hall_for_user(db, user, hall))


@router.post("/kiosks/code")
def make_code(request: Request, db: SessionDep, user: ConsoleWriter, form: ConsoleForm) -> Response:
    """A one-time enrollment code for a counter, shown once (never stored in clear)."""
    counter = access.counter_for_user(db, user, form.text("counter")[:64])
    hall = access.hall_for_user(db, user, counter.hall_id)
    now = datetime.now(UTC)
    try:
        issued = enrollment.make_code(db, counter.id, settings_of(request), now)
    except enrollment.EnrollmentError:
        return _page(
            request,
            db,
            user,
            hall,
            problem="This counter or its hall is disabled: no code can be made for it.",
            status=409,
        )
    audit.record(
        db,
        user=user,
        action="device.enrollment_code",
        at=now,
        object_type="counter",
        object_id=counter.id,
        hall_id=hall.id,
        after={"counter_id": counter.id, "expires_at": issued.expires_at},
    )
    return _page(request, db, user, hall, issued=issued)


@router.post("/kiosks/{device_id}/revoke")
def revoke(
    request: Request, db: SessionDep, user: ConsoleWriter, form: ConsoleForm, device_id: DeviceId
) -> Response:
    device, counter = access.device_for_user(db, user, device_id)
    if not device.active:
        raise PageError(409, "This cannot be done in the item's present state.")
    now = datetime.now(UTC)
    devices.revoke_device(db, device.id, now)
    audit.record(
        db,
        user=user,
        action="device.revoke",
        at=now,
        object_type="device",
        object_id=device.id,
        hall_id=counter.hall_id,
        before={"counter_id": counter.id, "active": True},
        after={"counter_id": counter.id, "active": False},
    )
    return redirect(request, f"/kiosks?hall={quote(counter.hall_id, safe='')}")
