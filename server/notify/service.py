"""Notification channels: added, listed and removed by administrators."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from server.models import Hall, NotificationChannel, NotificationOutbox, OutboxState
from server.notify.channels import is_channel_url
from server.problems import Problem

ROLES = ("supervisor", "manager", "inspector")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ChannelError(Problem):
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
        raise ChannelError("role must be one of {roles}", roles=", ".join(ROLES))
    if hall_id is not None and session.get(Hall, hall_id) is None:
        raise ChannelError("no hall {hall!r}", hall=hall_id)
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
        raise ChannelError("no channel {channel}", channel=channel_id)
    channel.active = False


def snapshot(channel: NotificationChannel) -> dict[str, object]:
    """What the audit log records of a channel: never its URL's secrets."""
    return {
        "url": redacted(channel.url),
        "role": channel.role,
        "hall_id": channel.hall_id,
        "label": channel.label,
        "quiet": f"{channel.quiet_start}-{channel.quiet_end}" if channel.quiet_start else None,
        "digest": channel.digest,
        "active": channel.active,
    }


def channels_of_hall(session: Session, hall_id: str) -> list[NotificationChannel]:
    """Active channels that tell the hall's people: the hall's own and the all-hall ones."""
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(
                NotificationChannel.active.is_(True),
                _of_hall(hall_id),
            )
            .order_by(NotificationChannel.id)
        )
    )


def outbox(
    session: Session,
    *,
    hall_id: str | None,
    state: OutboxState | None = None,
    alert_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[tuple[NotificationOutbox, NotificationChannel]]:
    """Notifications and their channel, newest first; for a hall, those on its channels
    and on the all-hall ones (the alerts' rule)."""
    query = select(NotificationOutbox, NotificationChannel).join(
        NotificationChannel, NotificationChannel.id == NotificationOutbox.channel_id
    )
    if hall_id is not None:
        query = query.where(_of_hall(hall_id))
    if state is not None:
        query = query.where(NotificationOutbox.state == state.value)
    if alert_id is not None:
        query = query.where(NotificationOutbox.alert_id == alert_id)
    query = query.order_by(NotificationOutbox.id.desc()).limit(limit).offset(offset)
    return list(session.execute(query).tuples())


def _of_hall(hall_id: str) -> ColumnElement[bool]:
    return or_(NotificationChannel.hall_id == hall_id, NotificationChannel.hall_id.is_(None))


def outbox_counts(session: Session, hall_id: str) -> dict[str, int]:
    """How many notifications of the hall's channels are in each delivery state."""
    rows = session.execute(
        select(NotificationOutbox.state, func.count())
        .join(NotificationChannel, NotificationChannel.id == NotificationOutbox.channel_id)
        .where(_of_hall(hall_id))
        .group_by(NotificationOutbox.state)
    ).tuples()
    counts = dict.fromkeys((s.value for s in OutboxState), 0)
    counts.update({state: int(n) for state, n in rows})
    return counts
