"""`GET /api/v1/staff/{staff_id}/photo`: a staff photo, for the kiosks of the staff's hall."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from server.database import SessionDep
from server.devices.dependencies import CurrentDevice
from server.errors import NotFound
from server.halls import photos, repository

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.get(
    "/{staff_id}/photo",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the photo, a JPEG"},
        404: {"description": "no such staff member in the device's hall, or no photo"},
    },
)
def staff_photo(
    staff_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]+$")],
    request: Request,
    session: SessionDep,
    device: CurrentDevice,
) -> Response:
    staff = repository.get_staff(session, staff_id)
    hall = repository.hall_of_counter(session, device.counter_id)
    if staff is None or hall is None or staff.hall_id != hall.id or staff.photo_sha256 is None:
        raise NotFound("staff photo")
    data = photos.read(request.app.state.settings.photo_dir, staff.photo_sha256)
    if data is None:
        raise NotFound("staff photo")
    etag = f'"{staff.photo_sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="image/jpeg", headers=headers)
