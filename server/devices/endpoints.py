"""`GET /api/v1/devices`: device health for admins, auditors and a hall's supervisor."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from server.database import SessionDep
from server.devices import repository
from server.devices.schemas import DeviceOut
from server.devices.service import pending_age_s
from server.models import HALL_ROLES
from server.users.dependencies import CurrentUser

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


@router.get("")
def list_devices(session: SessionDep, user: CurrentUser) -> list[DeviceOut]:
    hall = user.hall_id if user.role in HALL_ROLES else None
    now = datetime.now(UTC)
    return [
        DeviceOut.model_validate(d, from_attributes=True).model_copy(
            update={"oldest_pending_age_s": pending_age_s(d, now)}
        )
        for d in repository.list_devices(session, hall)
    ]
