"""The console's sign-in session: a cookie signed with the server's secret key.

The cookie holds the user id, the user's token generation, a random session id, the CSRF
token, when the session began and when the user last did something. It is refused when its
signature is wrong (the previous secret is still accepted after a rotation), when the user
has been idle past the idle timeout or signed in past the longest session, and when the
user's token generation has moved on since (the user was disabled, given a new password or
had every token revoked: server/users/service.py). Polling requests (the live parts of a
page) do not count as activity, so an unattended screen signs out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

SESSION_COOKIE = "hallrate_console"
#: Before sign-in: the CSRF token of the sign-in and language forms (double submit).
ANON_CSRF_COOKIE = "hallrate_csrf"
#: A request with this header is a page's own polling, not the user's activity.
POLL_HEADER = "x-console-poll"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
#: A session's last activity is re-stamped at most this often (each stamp is a new cookie).
TOUCH_EVERY_S = 30


@dataclass(frozen=True)
class ConsoleSession:
    user_id: int
    session_id: str
    csrf: str
    #: Seconds since the epoch.
    issued: int
    seen: int
    #: The user's `token_generation` when the session began.
    generation: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    # Domain-separated from the API's login tokens, which share the secret.
    mac = hmac.new(secret.encode(), b"console-session|" + payload.encode(), hashlib.sha256)
    return _b64(mac.digest())


def new_session(user_id: int, generation: int, now: datetime) -> ConsoleSession:
    stamp = int(now.timestamp())
    return ConsoleSession(
        user_id=user_id,
        session_id=secrets.token_urlsafe(16),
        csrf=secrets.token_urlsafe(24),
        issued=stamp,
        seen=stamp,
        generation=generation,
    )


def touched(session: ConsoleSession, now: datetime) -> ConsoleSession | None:
    """The session with its activity re-stamped, or None when the stamp is recent enough."""
    stamp = int(now.timestamp())
    if stamp - session.seen < TOUCH_EVERY_S:
        return None
    return replace(session, seen=stamp)


def encode(session: ConsoleSession, secret: str) -> str:
    payload = _b64(
        json.dumps(
            {
                "u": session.user_id,
                "s": session.session_id,
                "c": session.csrf,
                "i": session.issued,
                "t": session.seen,
                "g": session.generation,
            },
            separators=(",", ":"),
        ).encode()
    )
    return f"c1.{payload}.{_sign(secret, payload)}"


def decode(
    cookie: str | None, secrets: tuple[str, ...], now: datetime, idle_s: int, max_age_s: int
) -> ConsoleSession | None:
    """The session a valid, live cookie signed with one of `secrets` holds; None for
    anything else."""
    if not cookie or len(cookie) > 1024:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or parts[0] != "c1":
        return None
    payload, signature = parts[1], parts[2]
    if not any(hmac.compare_digest(_sign(s, payload), signature) for s in secrets):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = ConsoleSession(
            user_id=int(data["u"]),
            session_id=str(data["s"]),
            csrf=str(data["c"]),
            issued=int(data["i"]),
            seen=int(data["t"]),
            generation=int(data["g"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    stamp = now.timestamp()
    if stamp - session.seen > idle_s or stamp - session.issued > max_age_s:
        return None
    return session
