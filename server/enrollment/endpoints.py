"""`POST /api/v1/enroll`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request

from server.database import SessionDep
from server.enrollment import service
from server.errors import ApiError, TooMany
from sync.protocol import EnrollRequest, EnrollResponse, ErrorBody

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["devices"])


@router.post(
    "/enroll",
    responses={
        401: {"model": ErrorBody, "description": "unknown code"},
        409: {"model": ErrorBody, "description": "code already used"},
        410: {"model": ErrorBody, "description": "code expired"},
        429: {"model": ErrorBody, "description": "too many failed attempts"},
    },
)
def enroll(body: EnrollRequest, request: Request, session: SessionDep) -> EnrollResponse:
    state = request.app.state
    client = request.client.host if request.client else "unknown"
    if state.enroll_failures.blocked(client):
        raise TooMany("too many failed enrollment attempts; wait a minute", 60)
    try:
        answer = service.enroll(session, body, state.settings, datetime.now(UTC))
    except ApiError as exc:
        state.enroll_failures.hit(client)
        log.info("enrollment refused: %s", exc.code)
        raise
    log.info("device %s enrolled for counter %s", answer.device_id, answer.counter.id)
    return answer
