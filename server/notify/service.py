"""Notification channels: added, listed and removed by administrators."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Hall, NotificationChannel
from server.notify.channels import is_channel_url

ROLES = ("supervisor", "manager", "inspector")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ChannelError(ValueError):
    """A channel that cannot be stored; the message says why."""


def redacted(url: str) -> str:
    """The URL without its password, path and query (robot keys, tokens live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{user}{host}{port}{hidden}"


def add_channel(
    session: Session,
    *,
    url: str,
    role: str,
    hall_id: str | None,
    label: str,
    quiet: str | None,
    digest: bool,
    now: datetime,
) -> NotificationChannel:
    if role not in ROLES:
        raise ChannelError(f"role must be one of {', '.join(ROLES)}")
    if hall_id is not None and session.get(Hall, hall_id) is None:
        raise ChannelError(f"no hall {hall_id!r}")
    if not is_channel_url(url):
        raise ChannelError("not a channel URL apprise knows (check the scheme and its fields)")
    quiet_start = quiet_end = None
    if quiet:
        start, _, end = quiet.partition("-")
        if not (_HHMM.match(start) and _HHMM.match(end)) or start == end:
            raise ChannelError("quiet hours are HH:MM-HH:MM, e.g. 22:00-07:30")
        quiet_start, quiet_end = start, end
    channel = NotificationChannel(
        hall_id=hall_id,
        role=role,
        url=url,
        label=label,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        digest=digest,
        active=True,
        created_at=now,
    )
    session.add(channel)
    session.flush()
    return channel


def list_channels(session: Session) -> list[NotificationChannel]:
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.active.is_(True))
            .order_by(NotificationChannel.id)
        )
    )


def remove_channel(session: Session, channel_id: int) -> None:
    """Deactivate (rows already queued for it are marked failed, not lost silently)."""
    channel = session.get(NotificationChannel, channel_id)
    if channel is None or not channel.active:
        raise ChannelError(f"no channel {channel_id}")
    channel.active = False
