"""Phone-rating tokens: signed by the server, bound to a counter (and its service session
when there is one), expiring, each good for one rating.

A token is compact so that its QR code stays easy to scan on a kiosk screen:
base64url( version | expires (uint32 s) | token id (8 bytes) | session (0 or 16 bytes) |
counter id (UTF-8) | MAC (16 bytes) ). The MAC is HMAC-SHA256 under a key derived from the
server's secret key, truncated to 128 bits. That a token was spent is kept in the database
(`mobile_token_uses`), not in the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

_VERSION = 1
_MAC_BYTES = 16
_HEAD = struct.Struct(">BI8sB")  # version, expires, token id, session length
_MAX_TOKEN_CHARS = 200
#: Unpadded base64url: one token has exactly one spelling.
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class TokenError(ValueError):
    """A token that is not ours or no longer good; `reason` is `invalid` or `expired`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MobileToken:
    token_id: str  # hex
    counter_id: str
    session_id: str | None
    expires_at: datetime


def _key(secret_key: str, purpose: str) -> bytes:
    return hashlib.sha256(f"hallrate-{purpose}:{secret_key}".encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def issue(secret_key: str, counter_id: str, session_id: str | None, expires_at: datetime) -> str:
    """A new token for one rating at `counter_id`, good until `expires_at`."""
    session = uuid.UUID(session_id).bytes if session_id else b""
    body = (
        _HEAD.pack(_VERSION, int(expires_at.timestamp()), secrets.token_bytes(8), len(session))
        + session
        + counter_id.encode()
    )
    mac = hmac.new(_key(secret_key, "mobile-token"), body, hashlib.sha256).digest()
    return _b64(body + mac[:_MAC_BYTES])


def verify(secret_key: str, token: str, now: datetime) -> MobileToken:
    """The token's content, or TokenError when it was altered, is not ours or has expired."""
    if len(token) > _MAX_TOKEN_CHARS or not _ALPHABET.fullmatch(token):
        raise TokenError("invalid")
    try:
        raw = _unb64(token)
    except (binascii.Error, ValueError):
        raise TokenError("invalid") from None
    if len(raw) < _HEAD.size + _MAC_BYTES:
        raise TokenError("invalid")
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = hmac.new(_key(secret_key, "mobile-token"), body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected[:_MAC_BYTES]):
        raise TokenError("invalid")
    version, expires, token_id, session_len = _HEAD.unpack_from(body)
    if version != _VERSION or session_len not in (0, 16):
        raise TokenError("invalid")
    rest = body[_HEAD.size :]
    session, counter = rest[:session_len], rest[session_len:]
    try:
        counter_id = counter.decode()
    except UnicodeDecodeError:
        raise TokenError("invalid") from None
    expires_at = datetime.fromtimestamp(expires, UTC)
    if now >= expires_at:
        raise TokenError("expired")
    return MobileToken(
        token_id=token_id.hex(),
        counter_id=counter_id,
        session_id=str(uuid.UUID(bytes=session)) if session else None,
        expires_at=expires_at,
    )


def form_check(secret_key: str, token: str) -> str:
    """The value the rating form carries back with the token: a post built elsewhere
    without having loaded our form does not have it."""
    mac = hmac.new(_key(secret_key, "mobile-form"), token.encode(), hashlib.sha256).digest()
    return _b64(mac[:_MAC_BYTES])
