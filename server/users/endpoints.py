"""`POST /api/v1/auth/login`."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from server.database import SessionDep
from server.errors import TooMany, Unauthorized
from server.users import service
from server.users.schemas import LoginRequest, LoginResponse

router = APIRouter(prefix="/api/v1/auth", tags=["users"])


@router.post(
    "/login",
    responses={401: {"description": "wrong username or password"}},
)
def login(body: LoginRequest, request: Request, session: SessionDep) -> LoginResponse:
    state = request.app.state
    client = request.client.host if request.client else "unknown"
    if state.login_failures.blocked(client):
        raise TooMany("too many failed logins; wait a minute", 60)
    user = service.authenticate(
        session, body.username, body.password, service.hasher_for(state.settings)
    )
    if user is None:
        state.login_failures.hit(client)
        raise Unauthorized("invalid_credentials", "wrong username or password")
    token, expires = service.issue_token(
        user, state.settings.secret_key, state.settings.login_token_hours, datetime.now(UTC)
    )
    return LoginResponse(token=token, expires_at=expires, role=user.role, hall_id=user.hall_id)
