"""`CurrentDevice`: the enrolled kiosk a sync request comes from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.database import SessionDep
from server.devices import service
from server.errors import Unauthorized
from server.models import Device

_bearer = HTTPBearer(auto_error=False, description="the device token from /api/v1/enroll")


def current_device(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    if credentials is None:
        raise Unauthorized("missing_token", "send Authorization: Bearer <device token>")
    device = service.authenticate(session, credentials.credentials)
    if device is None:
        raise Unauthorized("invalid_token", "the device token is not valid; enroll again")
    if device.revoked_at is not None:
        raise Unauthorized(
            "device_revoked", "an administrator revoked this device's token; enroll again"
        )
    if not device.active:
        raise Unauthorized(
            "device_replaced", "another device was enrolled for this counter; enroll again"
        )
    # The token is in hand: keep the bundle key wrapped under the current secret.
    service.store_bundle_key(device, credentials.credentials, request.app.state.settings)
    return device


CurrentDevice = Annotated[Device, Depends(current_device)]
