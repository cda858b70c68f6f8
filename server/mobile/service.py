"""Phone ratings and receipt look-ups.

A phone rating goes through the same scoring, rollups and alerts as a kiosk rating
(`update_rollups_and_alerts`); it is stored with channel `mobile`, on the device of its
counter, with `seq` 0 since it is not in the device's own sequence. Spending the token and
storing the rating are one transaction, so a token yields exactly one rating.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import uuid6
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.grants import tokens
from server.ingest import repository as ingest_repository
from server.ingest.service import StoredRating, update_rollups_and_alerts
from server.models import Alert, Counter, Device, Hall, MobileTokenUse, Rating, ServiceSession
from server.scores.service import score_of
from server.settings import Settings
from sync.protocol import MAX_COMMENT_CHARS
from sync.reasons import DEFAULT_REASONS, REASONS_UP_TO_STARS, Reason
from sync.receipt import ALPHABET, CODE_CHARS
from sync.scoring import DIMENSION_CODES

Refused = Literal["invalid", "expired", "used", "unavailable"]


class PhoneRatingRefused(Exception):
    """The token cannot give a rating; `why` picks the page the citizen sees."""

    def __init__(self, why: Refused) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Place:
    hall_name: str
    counter_name: str
    timezone: str


@dataclass(frozen=True)
class Opened:
    token: tokens.MobileToken
    place: Place
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Draft:
    """The form as the citizen filled it; `problems` empty when it can be stored."""

    scores: dict[str, int]
    reasons: tuple[str, ...]
    comment: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Submitted:
    rating_id: str
    receipt_code: str
    is_low: bool


def _place(session: Session, counter_id: str) -> Place | None:
    counter = session.get(Counter, counter_id)
    if counter is None:
        return None
    hall = session.get(Hall, counter.hall_id)
    assert hall is not None  # foreign key
    return Place(hall.name, counter.name, hall.timezone)


def _spent(session: Session, token: tokens.MobileToken) -> bool:
    if session.get(MobileTokenUse, token.token_id) is not None:
        return True
    if token.session_id is None:
        return False
    # One rating per service (一次一评): rated at the kiosk or on a phone already.
    return (
        session.scalars(
            select(Rating.id).where(Rating.session_id == token.session_id).limit(1)
        ).first()
        is not None
    )


def open_token(session: Session, settings: Settings, text: str, now: datetime) -> Opened:
    """What the form for token `text` shows; PhoneRatingRefused when it may not be used."""
    try:
        token = tokens.verify(settings.secret_key, text, now)
    except tokens.TokenError as exc:
        raise PhoneRatingRefused("expired" if exc.reason == "expired" else "invalid") from None
    place = _place(session, token.counter_id)
    if place is None:
        raise PhoneRatingRefused("unavailable")
    if _spent(session, token):
        raise PhoneRatingRefused("used")
    return Opened(token, place, DEFAULT_REASONS)


def read_form(form: Mapping[str, Sequence[str]]) -> Draft:
    """Scores, reasons and comment from the posted form, and what is wrong with them."""
    problems: list[str] = []
    scores: dict[str, int] = {}
    for code in DIMENSION_CODES:
        values = form.get(code, [])
        if len(values) == 1 and values[0] in ("1", "2", "3", "4", "5"):
            scores[code] = int(values[0])
    if len(scores) != len(DIMENSION_CODES):
        problems.append("missing_scores")
    known = {r.code: r for r in DEFAULT_REASONS}
    reasons = tuple(
        dict.fromkeys(
            code
            for code in form.get("reason", [])
            if code in known and scores.get(known[code].dimension, 5) <= REASONS_UP_TO_STARS
        )
    )
    comments = form.get("comment", [""])
    comment = comments[0].replace("\r\n", "\n") if len(comments) == 1 else ""
    if len(comments) > 1:
        problems.append("bad_form")
    if len(comment) > MAX_COMMENT_CHARS:
        problems.append("comment_too_long")
    if "\x00" in comment or not _encodable(comment):
        problems.append("bad_form")
    return Draft(scores, reasons, comment.strip(), tuple(dict.fromkeys(problems)))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def new_receipt_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))


def _device_of(session: Session, counter_id: str) -> Device | None:
    return session.scalars(
        select(Device)
        .where(Device.counter_id == counter_id, Device.active.is_(True))
        .order_by(Device.enrolled_at.desc())
        .limit(1)
    ).first()


def submit(
    session: Session, settings: Settings, opened: Opened, draft: Draft, now: datetime
) -> Submitted:
    """Store the phone rating and spend its token, in the caller's transaction."""
    assert not draft.problems
    token = opened.token
    device = _device_of(session, token.counter_id)
    if device is None:
        raise PhoneRatingRefused("unavailable")
    staff_id = None
    if token.session_id is not None:
        staff_id = session.scalars(
            select(ServiceSession.staff_id).where(ServiceSession.id == token.session_id)
        ).first()
    config = settings.scoring
    stars = tuple(draft.scores[code] for code in DIMENSION_CODES)
    scored = score_of(stars, config)
    rating_id = str(uuid6.uuid7())
    code = new_receipt_code()
    row = {
        "id": rating_id,
        "device_id": device.id,
        "counter_id": token.counter_id,
        "staff_id": staff_id,
        "session_id": token.session_id,
        "seq": 0,
        "created_at": now,
        "occurred_at": now,
        "received_at": now,
        "weighted_score": scored.weighted,
        "level": scored.level,
        "is_low": scored.is_low,
        "reasons": list(draft.reasons),
        "comment": draft.comment,
        "channel": "mobile",
        "content_version": config.version,
        "flags": 0,
        "receipt_code": code,
        **dict(zip(DIMENSION_CODES, stars, strict=True)),
    }
    row["content_hash"] = hashlib.sha256(
        json.dumps(row, default=str, sort_keys=True).encode()
    ).hexdigest()
    try:
        with session.begin_nested():
            ingest_repository.insert_ratings(session, [row])
            session.add(
                MobileTokenUse(
                    token_id=token.token_id,
                    counter_id=token.counter_id,
                    rating_id=rating_id,
                    used_at=now,
                )
            )
            session.flush()
    except IntegrityError:
        # The same token spent by a concurrent post a moment ago.
        raise PhoneRatingRefused("used") from None
    update_rollups_and_alerts(
        session,
        token.counter_id,
        [StoredRating(rating_id, now, stars, scored)],
        ZoneInfo(opened.place.timezone),
        now,
        settings,
    )
    return Submitted(rating_id, code, scored.is_low)


@dataclass(frozen=True)
class ReceiptStatus:
    """What the receipt page shows: never the comment, a name or a phone number."""

    place: Place
    occurred_at: datetime
    received_at: datetime
    level: int
    is_low: bool
    channel: str
    alert: Alert | None


def receipt_status(session: Session, code: str) -> ReceiptStatus | None:
    """The rating with receipt `code` (the first stored with it), or None if not received."""
    rating = session.scalars(
        select(Rating).where(Rating.receipt_code == code).order_by(Rating.received_at).limit(1)
    ).first()
    if rating is None:
        return None
    place = _place(session, rating.counter_id)
    assert place is not None  # foreign key
    alert = session.scalars(select(Alert).where(Alert.rating_id == rating.id)).first()
    return ReceiptStatus(
        place,
        rating.occurred_at,
        rating.received_at,
        rating.level,
        rating.is_low,
        rating.channel,
        alert,
    )
