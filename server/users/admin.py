"""Administering users: list, change role and hall, disable, reset a password. The CLI and
the console's administration pages call these; edits return the user before and after
for the audit log (never a password hash)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.halls import repository as halls
from server.models import HALL_ROLES, Role, User
from server.problems import phrase
from server.users import repository
from server.users.service import UserError, disable_user, enable_user, set_password

#: Passed as `hall_id` to `edit_user` to leave the hall unchanged.
KEEP: Any = object()


def snapshot(user: User) -> dict[str, Any]:
    """The fields of a user an administrator can change, as the audit log keeps them."""
    return {
        "username": user.username,
        "role": user.role,
        "hall_id": user.hall_id,
        "active": user.active,
    }


def list_users(session: Session, *, include_disabled: bool = True) -> list[User]:
    query = select(User).order_by(User.username)
    if not include_disabled:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def require_user(session: Session, username: str) -> User:
    user = repository.by_username(session, username)
    if user is None:
        raise UserError("no user {user!r}", user=username)
    return user


def _active_admins(session: Session) -> int:
    return len(
        session.scalars(
            select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True))
        ).all()
    )


def _check_role_hall(session: Session, role: str, hall_id: str | None) -> None:
    if role in HALL_ROLES and hall_id is None:
        raise UserError("a {role} needs a hall", role=phrase(role))
    if role not in HALL_ROLES and hall_id is not None:
        raise UserError("only supervisors and managers belong to a hall")
    if hall_id is not None and halls.get_hall(session, hall_id) is None:
        raise UserError("no hall {hall!r}", hall=hall_id)


def edit_user(
    session: Session,
    username: str,
    *,
    role: Role | None = None,
    hall_id: str | None = KEEP,
    active: bool | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change a user's role, hall or whether they may sign in; (before, after).

    The last active admin cannot be demoted or disabled: nobody could administer then.
    """
    user = require_user(session, username)
    before = snapshot(user)
    new_role = role.value if role is not None else user.role
    new_hall = user.hall_id if hall_id is KEEP else hall_id
    if role is not None and role not in HALL_ROLES and hall_id is KEEP:
        new_hall = None  # leaving a hall-bound role leaves the hall
    _check_role_hall(session, new_role, new_hall)
    new_active = user.active if active is None else active
    losing_admin = (
        user.role == Role.ADMIN and user.active and (new_role != Role.ADMIN or not new_active)
    )
    if losing_admin and _active_admins(session) <= 1:
        raise UserError("this is the last active admin; make another admin first")
    user.role = new_role
    user.hall_id = new_hall
    if new_active != user.active:
        # The security rules' own functions: disabling voids every token issued so far.
        (enable_user if new_active else disable_user)(session, user.username)
    session.flush()
    return before, snapshot(user)


def reset_password(session: Session, username: str, password: str, hasher: PasswordHasher) -> User:
    """Give the user a new password (the password policy applies; the old password and
    every token issued so far stop working)."""
    user = set_password(session, username, password, hasher)
    session.flush()
    return user
