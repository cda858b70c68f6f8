"""`POST /api/v1/auth/login`.

No request-wide transaction here: the failure count is reserved in a short transaction
of its own, the user is read in another, and the password is hashed after both have ended
(`service.authenticate`), so parallel logins never hold a database lock while hashing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from server.errors import TooMany, Unauthorized
from server.ratelimit import client_address
from server.users import service
from server.users.schemas import LoginRequest, LoginResponse

router = APIRouter(prefix="/api/v1/auth", tags=["users"])


@router.post(
    "/login",
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many failed logins, or too many at once; honour Retry-After"},
    },
)
def login(body: LoginRequest, request: Request) -> LoginResponse:
    state = request.app.state
    settings = state.settings
    client = client_address(request)
    blocked = state.login_failures.reserve_now(state.session_factory, client)
    if blocked is not None:
        raise TooMany("too many failed logins; wait a minute", blocked)
    try:
        user = service.authenticate(
            state.session_factory,
            body.username,
            body.password,
            service.hasher_for(settings),
            state.hashing_gate,
        )
    except service.HashingBusy as exc:
        state.login_failures.refund_now(state.session_factory, client)
        raise TooMany(str(exc), exc.retry_after_s) from None
    if user is None:
        raise Unauthorized("invalid_credentials", "wrong username or password")
    state.login_failures.refund_now(state.session_factory, client)
    token, expires = service.issue_token(
        user, settings.secret, settings.login_token_hours, datetime.now(UTC)
    )
    return LoginResponse(token=token, expires_at=expires, role=user.role, hall_id=user.hall_id)
