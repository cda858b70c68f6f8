"""The background job that sends the outbox: at least once, retried with backoff.

A row is claimed before it is sent (its attempt counted and its next attempt pushed a lease
ahead, in a committed transaction) and marked sent only after the channel took it; a sender
that dies mid-send leaves a claim that runs out, and the row is sent again. Failures wait
`min(backoff * 2**(attempts-1), cap)`; after the last attempt the row is `failed`. Quiet
hours move a row to their end; a digest channel's rows are held and sent as one message a
day. Ingest never waits for any of this: it only inserts rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.models import Hall, NotificationChannel, NotificationOutbox, OutboxState
from server.notify.channels import Outcome, send_message
from server.notify.outbox import insert_ignoring_duplicates
from server.settings import Settings

log = logging.getLogger(__name__)

Sender = Callable[[str, str, str, Settings], Outcome]
BATCH = 20


def _zone(session: Session, channel: NotificationChannel, settings: Settings) -> ZoneInfo:
    if channel.hall_id is not None:
        zone = session.scalar(select(Hall.timezone).where(Hall.id == channel.hall_id))
        if zone:
            return ZoneInfo(zone)
    return ZoneInfo(settings.default_timezone)


def _parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(channel: NotificationChannel, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the channel's quiet hours if `now` is inside them, else None."""
    if not channel.quiet_start or not channel.quiet_end:
        return None
    start, end = _parse_hhmm(channel.quiet_start), _parse_hhmm(channel.quiet_end)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start <= end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class _Claim:
    row_id: int
    attempt: int
    url: str
    title: str
    body: str


def _claim(factory: sessionmaker[Session], settings: Settings, now: datetime) -> list[_Claim]:
    """Claim due rows to send now. Each claim is a conditional UPDATE on the attempt count
    read, so two workers (or processes on one SQLite file) never both claim a row."""
    claimed: list[_Claim] = []
    with factory.begin() as session:
        query = (
            select(NotificationOutbox, NotificationChannel)
            .join(NotificationChannel, NotificationChannel.id == NotificationOutbox.channel_id)
            .where(
                NotificationOutbox.state == OutboxState.PENDING.value,
                NotificationOutbox.next_attempt_at <= now,
            )
            .order_by(NotificationOutbox.next_attempt_at, NotificationOutbox.id)
            .limit(BATCH)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=NotificationOutbox)
        for row, channel in session.execute(query).tuples():
            if not channel.active:
                row.state = OutboxState.FAILED.value
                row.last_error = "the channel was removed or disabled"
                continue
            later = quiet_until(channel, now, _zone(session, channel, settings))
            if later is not None:
                row.next_attempt_at = later
                continue
            taken = session.execute(
                update(NotificationOutbox)
                .where(
                    NotificationOutbox.id == row.id,
                    NotificationOutbox.state == OutboxState.PENDING.value,
                    NotificationOutbox.attempts == row.attempts,
                )
                .values(
                    attempts=row.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=settings.notify_lease_s),
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(_Claim(row.id, row.attempts + 1, channel.url, row.title, row.body))
    return claimed


def _backoff(settings: Settings, attempts: int) -> timedelta:
    return timedelta(
        seconds=min(
            settings.notify_backoff_s * 2 ** max(0, attempts - 1), settings.notify_backoff_cap_s
        )
    )


def deliver_once(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime | None = None,
    send: Sender = send_message,
) -> int:
    """One pass: make the day's digests, then send what is due; how many were delivered."""
    now = now or datetime.now(UTC)
    make_digests(factory, settings, now)
    delivered = 0
    for claim in _claim(factory, settings, now):
        outcome = send(claim.url, claim.title, claim.body, settings)
        with factory.begin() as session:
            row = session.get(NotificationOutbox, claim.row_id)
            if row is None or row.state != OutboxState.PENDING.value:
                continue
            if row.attempts != claim.attempt and not outcome.delivered:
                continue  # our claim ran out and another sender has the row now
            if outcome.delivered:
                row.state = OutboxState.SENT.value
                row.sent_at = now
                row.last_error = None
                delivered += 1
                log.info(
                    "notification %d sent (event %s, attempt %d)", row.id, row.event, row.attempts
                )
            else:
                row.last_error = outcome.error
                if row.attempts >= settings.notify_max_attempts:
                    row.state = OutboxState.FAILED.value
                    log.warning(
                        "notification %d failed for good after %d attempts", row.id, row.attempts
                    )
                else:
                    row.next_attempt_at = now + _backoff(settings, row.attempts)
                    log.info(
                        "notification %d not delivered (attempt %d); retrying", row.id, row.attempts
                    )
    return delivered


def make_digests(factory: sessionmaker[Session], settings: Settings, now: datetime) -> int:
    """For each digest channel past today's digest hour, fold its held rows into one
    message (once a day, by key); how many digests were queued."""
    made = 0
    with factory.begin() as session:
        channels = session.scalars(
            select(NotificationChannel).where(
                NotificationChannel.digest.is_(True), NotificationChannel.active.is_(True)
            )
        ).all()
        for channel in channels:
            zone = _zone(session, channel, settings)
            local = now.astimezone(zone)
            moment = datetime.combine(
                local.date(), time(settings.notify_digest_hour), tzinfo=zone
            ).astimezone(UTC)
            if now < moment:
                continue
            held = session.scalars(
                select(NotificationOutbox)
                .where(
                    NotificationOutbox.channel_id == channel.id,
                    NotificationOutbox.state == OutboxState.HELD.value,
                    NotificationOutbox.created_at < moment,
                )
                .order_by(NotificationOutbox.id)
            ).all()
            if not held:
                continue
            day = local.date().isoformat()
            made += insert_ignoring_duplicates(
                session,
                [
                    {
                        "dedup_key": f"digest:{day}:{channel.id}",
                        "channel_id": channel.id,
                        "alert_id": None,
                        "event": "digest",
                        "title": f"预警日报 / Daily alert digest {day} ({len(held)})",
                        "body": "\n\n".join(r.body for r in held),
                        "state": OutboxState.PENDING.value,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                ],
            )
            session.execute(
                update(NotificationOutbox)
                .where(NotificationOutbox.id.in_([r.id for r in held]))
                .values(state=OutboxState.SENT.value, sent_at=now, last_error=f"in digest {day}")
                .execution_options(synchronize_session=False)
            )
    return made


async def run_forever(factory: sessionmaker[Session], settings: Settings) -> None:
    while True:
        try:
            await run_in_threadpool(deliver_once, factory, settings)
        except SQLAlchemyError as exc:
            log.warning("notification pass failed: %s", type(exc).__name__)
        await asyncio.sleep(settings.notify_interval_s)
