"""`CurrentUser`: the logged-in user of a dashboard request, and role guards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.database import SessionDep
from server.errors import Forbidden, Unauthorized
from server.models import READ_ONLY_ROLES, Role, User
from server.users import repository, service

_bearer = HTTPBearer(auto_error=False, description="a user token from /api/v1/auth/login")


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise Unauthorized("missing_token", "log in and send Authorization: Bearer <token>")
    uid = service.read_token(
        credentials.credentials, request.app.state.settings.secret_key, datetime.now(UTC)
    )
    user = repository.get(session, uid) if uid is not None else None
    if user is None or not user.active:
        raise Unauthorized("invalid_token", "the login token is invalid or expired")
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
