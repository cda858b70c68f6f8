"""`CurrentUser`: the logged-in user of a dashboard request, and role guards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.database import SessionDep
from server.errors import Forbidden, Unauthorized
from server.models import READ_ONLY_ROLES, Role, User
from server.users import service

_bearer = HTTPBearer(auto_error=False, description="a user token from /api/v1/auth/login")


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise Unauthorized("missing_token", "log in and send Authorization: Bearer <token>")
    user = service.user_of_token(
        session, credentials.credentials, request.app.state.settings, datetime.now(UTC)
    )
    if user is None:
        raise Unauthorized("invalid_token", "the login token is invalid, expired or revoked")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def writer(user: CurrentUser) -> User:
    """Admins, managers and supervisors may act on alerts; auditors and inspectors only read."""
    if user.role in READ_ONLY_ROLES:
        raise Forbidden(f"{user.role}s have read-only access")
    return user


CurrentWriter = Annotated[User, Depends(writer)]


def admin(user: CurrentUser) -> User:
    if user.role != Role.ADMIN:
        raise Forbidden("only admins may do this")
    return user


CurrentAdmin = Annotated[User, Depends(admin)]
