"""Users: argon2 password hashes and signed, expiring login tokens."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from server.models import HALL_ROLES, Role, User
from server.settings import Settings
from server.users import repository

MIN_PASSWORD_CHARS = 8


@functools.cache
def password_hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher_for(settings: Settings) -> PasswordHasher:
    return password_hasher(settings.password_time_cost, settings.password_memory_kib)


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the user does not exist, so that timing does not tell."""
    return hasher.hash("not a real password")


class UserError(ValueError):
    """A user that cannot be created as asked."""


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    hall_id: str | None,
    now: datetime,
    hasher: PasswordHasher,
) -> User:
    if not username or len(username) > 64 or not username.isprintable():
        raise UserError("a username is 1–64 printable characters")
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if role in HALL_ROLES and hall_id is None:
        raise UserError(f"a {role.value} needs a hall (--hall)")
    if role not in HALL_ROLES and hall_id is not None:
        raise UserError("only supervisors and managers belong to a hall")
    if repository.by_username(session, username) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=hasher.hash(password),
        role=role.value,
        hall_id=hall_id,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session, username: str, password: str, hasher: PasswordHasher
) -> User | None:
    user = repository.by_username(session, username)
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def issue_token(user: User, secret: str, hours: int, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(hours=hours)
    payload = _b64(json.dumps({"uid": user.id, "exp": int(expires.timestamp())}).encode())
    return f"u1.{payload}.{_sign(secret, payload)}", expires


def read_token(token: str, secret: str, now: datetime) -> int | None:
    """The user id a valid, unexpired token names; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != "u1":
        return None
    payload, signature = parts[1], parts[2]
    if not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        data = json.loads(_unb64(payload))
        uid, exp = int(data["uid"]), int(data["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if datetime.fromtimestamp(exp, UTC) <= now:
        return None
    return uid
