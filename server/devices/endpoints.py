"""`GET /api/v1/devices`: device health for admins, auditors and a hall's supervisor."""

from __future__ import annotations

from fastapi import APIRouter

from server.database import SessionDep
from server.devices import repository
from server.devices.schemas import DeviceOut
from server.models import Role
from server.users.dependencies import CurrentUser

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


@router.get("")
def list_devices(session: SessionDep, user: CurrentUser) -> list[DeviceOut]:
    hall = user.hall_id if user.role == Role.SUPERVISOR else None
    return [
        DeviceOut.model_validate(d, from_attributes=True)
        for d in repository.list_devices(session, hall)
    ]
