"""What a sync answer's config carries for the QR codes: the address phones reach the
server at, and a fresh phone-rating token for the device's counter."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.grants import tokens
from server.models import ServiceSession, SessionRating
from server.settings import Settings
from sync.receipt import MOBILE_KEY, PUBLIC_URL_KEY

#: A session counts as the counter's current one from its start for this long...
SESSION_OPEN_FOR = timedelta(hours=4)
#: ...and until this long after it ended: the citizen rates after being served.
SESSION_RATEABLE_AFTER_END = timedelta(minutes=15)


def current_session(session: Session, counter_id: str, now: datetime) -> str | None:
    """The counter's service session a phone rating made now belongs to, if any: the
    newest one under way or just ended, unless it was cancelled or has its rating already
    (a token for it would be spent before a phone opened it; an older session is not
    offered instead: the phone in hand belongs to the newest citizen, if to any)."""
    row = session.execute(
        select(ServiceSession.id, ServiceSession.outcome, SessionRating.rating_id)
        .outerjoin(SessionRating, SessionRating.session_id == ServiceSession.id)
        .where(
            ServiceSession.counter_id == counter_id,
            ServiceSession.started_at > now - SESSION_OPEN_FOR,
            ServiceSession.started_at <= now,
            or_(
                ServiceSession.ended_at.is_(None),
                ServiceSession.ended_at > now - SESSION_RATEABLE_AFTER_END,
            ),
        )
        .order_by(ServiceSession.started_at.desc())
        .limit(1)
    ).first()
    if row is None or row.rating_id is not None or row.outcome == "cancelled":
        return None
    return str(row.id)


def phone_config(
    session: Session,
    settings: Settings,
    counter_id: str,
    public_url: str | None,
    now: datetime,
) -> dict[str, Any]:
    """`public_url` and a new `mobile` grant; empty when no public address is known."""
    if not public_url:
        return {}
    lifetime = timedelta(minutes=settings.mobile_token_minutes)
    expires_at = now + lifetime
    token = tokens.issue(
        settings.secret, counter_id, current_session(session, counter_id, now), expires_at
    )
    return {
        PUBLIC_URL_KEY: public_url.rstrip("/"),
        MOBILE_KEY: {
            "token": token,
            "expires_at": expires_at.isoformat(timespec="seconds"),
            # Counted by the device from the answer's arrival: its own clock may be wrong.
            "valid_s": int(lifetime.total_seconds()),
        },
    }
