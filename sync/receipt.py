"""Receipt codes and phone-rating grants: what kiosk and server agree on about the QR codes.

A receipt code names one rating on the page `/r/<code>` where a citizen follows it. The
kiosk makes it offline, as an HMAC of the rating id under a random key that never leaves
the device, so it is unguessable and carries nothing about the citizen; it travels to the
server with the rating (`Rating.receipt`). Twelve characters of Crockford's base32 (60
bits): short enough to type from a paper receipt, far too many to guess.

A phone-rating grant is what a sync answer's `config["mobile"]` carries: a signed,
single-use token for the page `/m/<token>`, and how long it stays valid. Validity is
counted from when the answer arrived, not from the device clock, which may be wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

#: Crockford's base32: no I, L, O or U, so a code read off paper is not mistyped.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 12
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_CHARS}}}$")
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})

#: Where a sync answer's config carries the phone-rating grant and the public address.
MOBILE_KEY = "mobile"
PUBLIC_URL_KEY = "public_url"


def receipt_code(key: bytes, rating_id: str) -> str:
    """The receipt code of `rating_id` under the device's receipt key."""
    digest = hmac.new(key, b"hallrate-receipt:" + rating_id.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_CHARS)
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))


def normalize_code(text: str) -> str | None:
    """A code as typed (any case, with dashes or spaces, O for 0) in its canonical form, or
    None when it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_READ_AS)
    return code if CODE_PATTERN.match(code) else None


def grouped(code: str) -> str:
    """The code as printed for reading aloud or typing: `ABCD-EFGH-JKMN`."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def page_url(public_url: str, kind: str, value: str) -> str:
    return f"{public_url.rstrip('/')}/{kind}/{value}"


def receipt_url(public_url: str, code: str) -> str:
    """The page where the rating with receipt `code` is followed."""
    return page_url(public_url, "r", code)


@dataclass(frozen=True)
class MobileGrant:
    """A phone-rating token as the kiosk holds it."""

    url: str
    #: Device wall-clock time until which the QR may be shown.
    valid_until_ts: float

    def valid_at(self, now_ts: float) -> bool:
        return now_ts < self.valid_until_ts


def grant_from_config(config: Any, received_ts: float) -> MobileGrant | None:
    """The grant in a sync answer's config, or None when it has none or a malformed one.

    `received_ts` is the device's wall clock when the answer arrived; the grant is good for
    the `valid_s` the server counted from its own clock.
    """
    if not isinstance(config, dict):
        return None
    mobile = config.get(MOBILE_KEY)
    public_url = config.get(PUBLIC_URL_KEY)
    if not isinstance(mobile, dict) or not isinstance(public_url, str):
        return None
    token, valid_s = mobile.get("token"), mobile.get("valid_s")
    if not isinstance(token, str) or not token or not isinstance(valid_s, int | float):
        return None
    if not public_url.startswith(("http://", "https://")):
        return None
    return MobileGrant(page_url(public_url, "m", token), received_ts + float(valid_s))
