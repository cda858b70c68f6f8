"""The console's sign-in session: a cookie signed with the server's secret key.

The cookie holds the user id, a random session id, the CSRF token, when the session began
and when the user last did something. It is refused when its signature is wrong, when the
user has been idle past the idle timeout or signed in past the longest session, and when
the user's password has changed since (its fingerprint is in the cookie). Polling requests
(the live parts of a page) do not count as activity, so an unattended screen signs out.
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
    #: Fingerprint of the user's password hash when the session began.
    password: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    # Domain-separated from the API's login tokens, which share the secret.
    mac = hmac.new(secret.encode(), b"console-session|" + payload.encode(), hashlib.sha256)
    return _b64(mac.digest())


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def new_session(user_id: int, password_hash: str, now: datetime) -> ConsoleSession:
    stamp = int(now.timestamp())
    return ConsoleSession(
        user_id=user_id,
        session_id=secrets.token_urlsafe(16),
        csrf=secrets.token_urlsafe(24),
        issued=stamp,
        seen=stamp,
        password=password_fingerprint(password_hash),
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
                "p": session.password,
            },
            separators=(",", ":"),
        ).encode()
    )
    return f"c1.{payload}.{_sign(secret, payload)}"


def decode(
    cookie: str | None, secret: str, now: datetime, idle_s: int, max_age_s: int
) -> ConsoleSession | None:
    """The session a valid, live cookie holds; None for anything else."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or parts[0] != "c1":
        return None
    payload, signature = parts[1], parts[2]
    if not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = ConsoleSession(
            user_id=int(data["u"]),
            session_id=str(data["s"]),
            csrf=str(data["c"]),
            issued=int(data["i"]),
            seen=int(data["t"]),
            password=str(data["p"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    stamp = now.timestamp()
    if stamp - session.seen > idle_s or stamp - session.issued > max_age_s:
        return None
    return session
