"""`/api/v1/alert-profiles/{hall}`: read (a hall's people, admins, readers) and replace
(admins) a hall's alert profile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request

from server.alerts import profiles
from server.alerts.deadlines import AlertProfile
from server.alerts.service import visible_hall
from server.content.service import scoring_in_force
from server.database import SessionDep
from server.errors import ApiError, NotFound
from server.settings import Settings
from server.users.dependencies import CurrentAdmin, CurrentUser
from sync.protocol import ErrorBody

router = APIRouter(prefix="/api/v1/alert-profiles", tags=["alerts"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
HallId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00/]+$")]


class ProfileRefused(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "invalid_profile", message)


@router.get("/{hall_id}", responses=_ERRORS)
def get_profile(
    hall_id: HallId, request: Request, session: SessionDep, user: CurrentUser
) -> AlertProfile:
    """The hall's alert profile (stages, escalation chain, closures, surge rule)."""
    if visible_hall(user) not in (None, hall_id):
        raise NotFound("hall")
    settings: Settings = request.app.state.settings
    profile, _calendar = profiles.clock_of_hall(
        session, hall_id, scoring_in_force(session, settings)
    )
    return profile


@router.put("/{hall_id}", responses=_ERRORS)
def put_profile(
    hall_id: HallId,
    session: SessionDep,
    user: CurrentAdmin,
    document: Annotated[dict[str, Any], Body()],
) -> AlertProfile:
    """Replace the hall's alert profile; new alerts use it, existing ones keep theirs."""
    try:
        return profiles.store_profile(session, hall_id, document, datetime.now(UTC))
    except profiles.ProfileError as exc:
        raise ProfileRefused(str(exc)) from None
