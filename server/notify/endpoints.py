"""`/api/v1/notifications/…`: channels (admins) and the outbox's delivery state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from server.database import SessionDep
from server.errors import ApiError, NotFound
from server.models import HALL_ROLES, NotificationChannel, OutboxState
from server.notify import service
from server.notify.schemas import ChannelIn, ChannelOut, OutboxOut
from server.users.dependencies import CurrentAdmin, CurrentUser
from sync.protocol import ErrorBody

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


def _channel_out(c: NotificationChannel) -> ChannelOut:
    return ChannelOut(
        id=c.id,
        role=c.role,
        hall_id=c.hall_id,
        url=service.redacted(c.url),
        label=c.label,
        quiet_start=c.quiet_start,
        quiet_end=c.quiet_end,
        digest=c.digest,
        created_at=c.created_at,
    )


class _Invalid(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "invalid", message)


@router.get("/channels", responses=_ERRORS)
def list_channels(session: SessionDep, user: CurrentAdmin) -> list[ChannelOut]:
    return [_channel_out(c) for c in service.list_channels(session)]


@router.post("/channels", responses=_ERRORS, status_code=201)
def add_channel(body: ChannelIn, session: SessionDep, user: CurrentAdmin) -> ChannelOut:
    try:
        channel = service.add_channel(
            session,
            url=body.url,
            role=body.role,
            hall_id=body.hall_id,
            label=body.label,
            quiet=body.quiet,
            digest=body.digest,
            now=datetime.now(UTC),
        )
    except service.ChannelError as exc:
        raise _Invalid(str(exc)) from None
    return _channel_out(channel)


@router.delete("/channels/{channel_id}", responses=_ERRORS, status_code=204)
def remove_channel(
    channel_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, user: CurrentAdmin
) -> None:
    try:
        service.remove_channel(session, channel_id)
    except service.ChannelError:
        raise NotFound("channel") from None


@router.get("/outbox", responses=_ERRORS)
def outbox(
    session: SessionDep,
    user: CurrentUser,
    state: OutboxState | None = None,
    alert_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OutboxOut]:
    """Notifications and their delivery state, newest first (a hall's people: theirs)."""
    hall = user.hall_id if user.role in HALL_ROLES else None
    rows = service.outbox(session, hall_id=hall, state=state, alert_id=alert_id, limit=limit)
    return [OutboxOut.model_validate(r, from_attributes=True) for r, _channel in rows]
