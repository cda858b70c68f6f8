"""`POST /api/v1/enroll`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from server.database import SessionDep
from server.enrollment import service
from server.errors import ApiError, TooMany
from server.ratelimit import client_address
from sync.protocol import EnrollRequest, EnrollResponse, ErrorBody

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["devices"])


def count_attempt(request: Request) -> str:
    """Count the attempt before the code is looked at, in a transaction of its own that
    stays counted whatever the enrollment does (declared before SessionDep, so it runs
    before the request's transaction begins); the client's address."""
    state = request.app.state
    client = client_address(request)
    blocked = state.enroll_failures.reserve_now(state.session_factory, client)
    if blocked is not None:
        raise TooMany("too many failed enrollment attempts; wait a minute", blocked)
    return client


@router.post(
    "/enroll",
    responses={
        401: {"model": ErrorBody, "description": "unknown code"},
        409: {"model": ErrorBody, "description": "code already used"},
        410: {"model": ErrorBody, "description": "code expired"},
        429: {"model": ErrorBody, "description": "too many failed attempts"},
    },
)
def enroll(
    body: EnrollRequest,
    request: Request,
    client: Annotated[str, Depends(count_attempt)],
    session: SessionDep,
) -> EnrollResponse:
    state = request.app.state
    try:
        answer = service.enroll(session, body, state.settings, datetime.now(UTC))
    except ApiError as exc:
        log.info("enrollment refused: %s", exc.code)
        raise
    # A good code does not count against the client's allowance of failures.
    state.enroll_failures.refund(session, client)
    log.info("device %s enrolled for counter %s", answer.device_id, answer.counter.id)
    return answer
