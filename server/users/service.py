"""Users: argon2 password hashes, signed and expiring login tokens, and the account
controls (password policy, disable, revoke every token) the CLI, API and console share.

Hashing a password takes `password_memory_kib` of memory and tens of milliseconds of CPU,
so it never runs inside a database transaction (on SQLite a login would hold the write lock
meanwhile), and a worker hashes at most `max_concurrent_password_hashes` at once
(`HashingGate`): beyond that a login is told to come back (`HashingBusy`, a 429).

A login token names the user and the user's `token_generation`; disabling the user,
setting a password or revoking tokens bumps the generation, which voids every token issued
before on the next request.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from server.models import HALL_ROLES, Role, User
from server.problems import Phrase, Problem, phrase
from server.settings import Settings
from server.users import repository

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200
#: Passwords any guesser tries first; refused whatever their length.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789012",
        "0123456789",
        "qwertyuiop",
        "1q2w3e4r5t",
        "password123",
        "password1234",
        "passw0rd123",
        "administrator",
        "admin123456",
        "adminadmin",
        "iloveyou123",
        "letmein1234",
        "welcome123",
        "abcdefghij",
        "abc1234567",
        "a123456789",
        "woaini1314",
        "1qaz2wsx3edc",
        "qwerty123456",
    }
)


@functools.cache
def password_hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher_for(settings: Settings) -> PasswordHasher:
    return password_hasher(settings.password_time_cost, settings.password_memory_kib)


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the user does not exist, so that timing does not tell."""
    return hasher.hash("not a real password")


class UserError(Problem):
    """A user that cannot be created or changed as asked."""


class HashingBusy(Exception):
    """This worker is hashing as many passwords as it may; try again in `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many logins at once; try again shortly")
        self.retry_after_s = retry_after_s


class HashingGate:
    """At most `limit` password hashes at once in this worker; a caller waits at most
    `wait_s` for a turn, then gets `HashingBusy` (memory stays bounded under a burst)."""

    def __init__(self, limit: int, wait_s: float = 0.5, retry_after_s: int = 1) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self.retry_after_s = retry_after_s
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait_s):
            raise HashingBusy(self.retry_after_s)
        try:
            yield
        finally:
            self._slots.release()


def gate_for(settings: Settings) -> HashingGate:
    return HashingGate(settings.max_concurrent_password_hashes, retry_after_s=1)


def password_problem(password: str, username: str = "") -> Phrase | None:
    """Why `password` may not be used (None when it may): the minimum policy."""
    if len(password) < MIN_PASSWORD_CHARS:
        return phrase("a password needs at least {n} characters", n=MIN_PASSWORD_CHARS)
    if len(password) > MAX_PASSWORD_CHARS:
        return phrase("a password has at most {n} characters", n=MAX_PASSWORD_CHARS)
    if not password.isprintable():
        return phrase("a password holds printable characters only")
    if len(set(password)) < 4:
        return phrase("a password needs at least 4 different characters")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS:
        return phrase("this password is among the first any guesser tries")
    if username and username.lower() in lowered:
        return phrase("a password must not contain the username")
    return None


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
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    if role in HALL_ROLES and hall_id is None:
        raise UserError("a {role} needs a hall", role=phrase(role.value))
    if role not in HALL_ROLES and hall_id is not None:
        raise UserError("only supervisors and managers belong to a hall")
    if repository.by_username(session, username) is not None:
        raise UserError("user {user!r} already exists", user=username)
    user = User(
        username=username,
        password_hash=hasher.hash(password),
        role=role.value,
        hall_id=hall_id,
        active=True,
        token_generation=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _existing(session: Session, username: str) -> User:
    user = repository.by_username(session, username)
    if user is None:
        raise UserError("no user {user!r}", user=username)
    return user


def set_password(session: Session, username: str, password: str, hasher: PasswordHasher) -> User:
    """Give the user a new password (policy checked); every earlier token stops working."""
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    user = _existing(session, username)
    user.password_hash = hasher.hash(password)
    user.token_generation += 1
    return user


def disable_user(session: Session, username: str) -> User:
    """The user can no longer log in, and every token already issued stops working."""
    user = _existing(session, username)
    user.active = False
    user.token_generation += 1
    return user


def enable_user(session: Session, username: str) -> User:
    """Let a disabled user log in again (old tokens stay void)."""
    user = _existing(session, username)
    user.active = True
    return user


def revoke_user_tokens(session: Session, username: str) -> User:
    """Void every login token issued to the user so far (a lost phone, a shared laptop)."""
    user = _existing(session, username)
    user.token_generation += 1
    return user


@dataclass(frozen=True)
class Authenticated:
    """Who logged in, read before hashing; no ORM object, no open transaction."""

    user_id: int
    username: str
    role: str
    hall_id: str | None
    token_generation: int


def authenticate(
    factory: sessionmaker[Session],
    username: str,
    password: str,
    hasher: PasswordHasher,
    gate: HashingGate,
) -> Authenticated | None:
    """The user `username` if `password` is theirs and the account is enabled.

    Reads the user in a short transaction of its own and hashes after it has ended, so no
    database lock is held while hashing. HashingBusy when the worker is hashing its limit.
    """
    with factory() as session:
        user = repository.by_username(session, username)
        found = (
            Authenticated(user.id, user.username, user.role, user.hall_id, user.token_generation)
            if user is not None and user.active
            else None
        )
        stored_hash = user.password_hash if user is not None else None
        session.rollback()
    with gate.turn():
        try:
            hasher.verify(stored_hash or _dummy_hash(hasher), password)
        except (VerificationError, InvalidHashError):
            return None
    return found


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def _sign_key(secret: str) -> str:
    # Its own key, so that no other signature made with the secret passes as a login token.
    return hashlib.sha256(f"hallrate-login-token:{secret}".encode()).hexdigest()


def issue_token(
    user: User | Authenticated, secret: str, hours: int, now: datetime
) -> tuple[str, datetime]:
    expires = now + timedelta(hours=hours)
    uid = user.user_id if isinstance(user, Authenticated) else user.id
    claims = {"uid": uid, "gen": user.token_generation, "exp": int(expires.timestamp())}
    payload = _b64(json.dumps(claims).encode())
    return f"u2.{payload}.{_sign(_sign_key(secret), payload)}", expires


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    generation: int


def read_token(
    token: str, secrets: tuple[str, ...], now: datetime, max_hours: int
) -> TokenClaims | None:
    """What a valid, unexpired token signed with one of `secrets` claims; None for anything
    else, and for a token claiming to live longer than `max_hours` from now (however it was
    signed, the server decides how long a login lasts)."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != "u2" or len(token) > 512:
        return None
    payload, signature = parts[1], parts[2]
    if not any(hmac.compare_digest(_sign(_sign_key(s), payload), signature) for s in secrets):
        return None
    try:
        data = json.loads(_unb64(payload))
        uid, gen, exp = data["uid"], data["gen"], data["exp"]
    except (ValueError, KeyError, TypeError):
        return None
    if not all(type(v) is int for v in (uid, gen, exp)):
        return None
    if not now.timestamp() < exp <= (now + timedelta(hours=max_hours, minutes=1)).timestamp():
        return None
    return TokenClaims(uid, gen)


def user_of_token(session: Session, token: str, settings: Settings, now: datetime) -> User | None:
    """The enabled user a login token belongs to, if it is valid and not revoked."""
    claims = read_token(token, settings.secrets, now, settings.login_token_hours)
    if claims is None:
        return None
    user = repository.get(session, claims.user_id)
    if user is None or not user.active or user.token_generation != claims.generation:
        return None
    return user
