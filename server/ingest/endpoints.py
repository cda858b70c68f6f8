"""`POST /api/v1/sync`: a kiosk's batch in, results and its counter's scores out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from server.database import SessionDep
from server.devices.dependencies import CurrentDevice
from server.errors import ApiError, TooMany, Unavailable
from server.ingest import service
from server.settings import Settings
from sync.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_RATINGS,
    ErrorBody,
    SyncRequest,
    SyncResponse,
    describe_error,
)

router = APIRouter(prefix="/api/v1", tags=["devices"])


class IngestGate:
    """Sheds load: past `limit` ingests in flight in this worker, answer 503 at once rather
    than queue until the kiosk's request times out."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self._lock = threading.Lock()

    @contextmanager
    def enter(self, retry_after_s: int) -> Iterator[None]:
        with self._lock:
            if self.in_flight >= self.limit:
                raise Unavailable("the server is busy; retry later", retry_after_s)
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1


class TooLarge(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(413, "too_large", message)


async def sync_envelope(request: Request) -> SyncRequest:
    """The request body as a protocol v1 envelope (items still raw)."""
    body = await request.body()
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(422, "invalid_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_envelope", "the body must be a JSON object")
    for key in ("ratings", "sessions"):
        items = data.get(key)
        if isinstance(items, list) and len(items) > MAX_BATCH_RATINGS:
            raise TooLarge(f"{key}: at most {MAX_BATCH_RATINGS} per batch; split the batch")
    try:
        envelope = SyncRequest.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid_envelope", describe_error(exc)) from None
    try:
        year = envelope.device_time.astimezone(UTC).year
    except OverflowError:  # "0001-01-01T00:00:00+08:00" is before year 1 in UTC
        year = 0
    if year not in service.PLAUSIBLE_YEARS:
        # A clock reset to 1970 is corrected; year 1 or 9999 is no clock reading at all.
        raise ApiError(422, "invalid_envelope", "device_time: not a plausible date")
    return envelope


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


@router.post(
    "/sync",
    response_model=None,
    responses={
        200: {"model": SyncResponse, "description": "a result for every rating and session"},
        400: _error("Content-Encoding gzip but the body is not gzip"),
        401: _error("missing, unknown or replaced device token"),
        413: _error(f"more than {MAX_BATCH_RATINGS} ratings or {MAX_BATCH_BYTES} bytes"),
        415: _error("Content-Encoding other than gzip"),
        422: _error("the envelope is malformed"),
        429: _error("too many syncs from this device; honour Retry-After"),
        503: _error("busy or database unavailable; honour Retry-After"),
    },
)
def sync(
    request: Request,
    device: CurrentDevice,
    envelope: Annotated[SyncRequest, Depends(sync_envelope)],
    session: SessionDep,
) -> Response:
    """Upload a batch of ratings and sessions (protocol v1; see docs/protocol.md)."""
    state = request.app.state
    settings: Settings = state.settings
    if not state.device_syncs.hit(device.id):
        raise TooMany("too many syncs from this device", settings.retry_after_s)
    with state.ingest_gate.enter(settings.retry_after_s):
        answer = service.ingest(
            session,
            device.id,
            envelope,
            settings,
            datetime.now(UTC),
            public_url=settings.public_url or str(request.base_url),
        )
    return Response(answer.model_dump_json(), media_type="application/json")
