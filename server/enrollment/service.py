"""Enrollment: an admin makes a one-time, expiring code for a counter; a kiosk trades it
for a device id and token. Enrolling replaces the counter's previous device."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.devices import repository as devices
from server.devices.service import device_config, hash_token, new_token, store_bundle_key
from server.enrollment import repository
from server.errors import ApiError, Conflict
from server.halls import repository as halls
from server.models import Device, EnrollmentCode
from server.settings import Settings
from sync.protocol import EnrollRequest, EnrollResponse, Place

# No 0/O, 1/I/L: the code is read off a screen and typed on a touchscreen.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_CHARS = 12


class EnrollmentError(ValueError):
    """An enrollment code that cannot be made as asked."""


class CodeRejected(ApiError):
    """Unknown, used or expired code: the kiosk asks the admin for a new one."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message)


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    counter_id: str
    expires_at: datetime


def make_code(session: Session, counter_id: str, settings: Settings, now: datetime) -> IssuedCode:
    counter = halls.get_counter(session, counter_id)
    if counter is None:
        raise EnrollmentError(f"no counter {counter_id!r}")
    hall = halls.get_hall(session, counter.hall_id)
    if not counter.active or hall is None or not hall.active:
        raise EnrollmentError(f"counter {counter_id!r} or its hall is disabled")
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
    code = "-".join(raw[i : i + 4] for i in range(0, _CODE_CHARS, 4))
    expires = now + timedelta(hours=settings.enrollment_code_hours)
    session.add(
        EnrollmentCode(
            code_hash=hash_code(code),
            counter_id=counter_id,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedCode(code=code, counter_id=counter_id, expires_at=expires)


def enroll(
    session: Session, request: EnrollRequest, settings: Settings, now: datetime
) -> EnrollResponse:
    record = repository.by_hash_for_update(session, hash_code(request.code))
    if record is None:
        raise CodeRejected(401, "invalid_code", "this enrollment code is not known")
    if record.used_at is not None:
        raise Conflict("code_used", "this enrollment code was already used; ask for a new one")
    if record.expires_at <= now:
        raise CodeRejected(410, "code_expired", "this enrollment code has expired")
    counter = halls.get_counter(session, record.counter_id)
    hall = halls.hall_of_counter(session, record.counter_id)
    assert counter is not None  # foreign keys
    assert hall is not None
    devices.deactivate_for_counter(session, counter.id)
    token = new_token()
    device = Device(
        id=str(uuid.uuid4()),
        counter_id=counter.id,
        token_hash=hash_token(token),
        active=True,
        enrolled_at=now,
        app_version=request.app_version,
        queue_depth=0,
        clock_offset_s=0.0,
        clock_flagged=False,
        highest_seq=0,
        seq_gaps=[],
        ratings_received=0,
    )
    store_bundle_key(device, token, settings)
    session.add(device)
    session.flush()
    record.used_at = now
    record.device_id = device.id
    return EnrollResponse(
        device_id=device.id,
        token=token,
        counter=Place(id=counter.id, name=counter.name),
        hall=Place(id=hall.id, name=hall.name),
        config=device_config(session, settings, hall),
    )
