"""A record no one can quietly rewrite: the audit log and each day's ratings chained by
SHA-256 hashes.

- Each audit entry's hash covers its content and the hash of the entry before it. Entries
  join the chain when their transaction commits, one at a time (the chain head row is
  locked), so the chain follows commit order and has no gap.
- Each UTC day of *received* ratings (a day over is never received into again) is sealed
  once the day is over: the count, a digest of the ratings as stored (in id order; all but
  what a person's deletion request may remove), and a hash chained to the day before.

`verify` recomputes both chains from the rows as they are and names the first link that
no longer matches: an entry or rating changed, added or deleted directly in the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import AuditChainHead, AuditEntry, Rating, RatingDaySeal

GENESIS = "0" * 64
#: session.info key: entries recorded in this transaction, chained at commit.
PENDING = "hallrate_audit_unchained"


def _utc_text(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_digest(prev: str, entry: AuditEntry) -> str:
    """The hash of `entry` chained to `prev` (the migration that chained the entries
    written before the chain repeats this function)."""
    body = {
        "id": entry.id,
        "at": _utc_text(entry.at),
        "user_id": entry.user_id,
        "username": entry.username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "hall_id": entry.hall_id,
        "before": entry.before,
        "after": entry.after,
    }
    return hashlib.sha256(prev.encode() + _canonical(body)).hexdigest()


def pending(session: Session, entry: AuditEntry) -> None:
    """Chain `entry` when its transaction commits."""
    session.info.setdefault(PENDING, []).append(entry)


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    entries: list[AuditEntry] = session.info.pop(PENDING, [])
    if not entries:
        return
    session.flush()  # the entries' ids, and this transaction is a writer from here on
    # The migration makes the head row; made here too if it is gone (an emptied table),
    # without two first writers colliding.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(AuditChainHead)
        .values(id=1, seq=0, hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    head = session.scalars(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).one()
    for entry in sorted(entries, key=lambda e: e.id):
        head.seq += 1
        entry.chain_seq = head.seq
        entry.prev_hash = head.hash
        entry.entry_hash = entry_digest(head.hash, entry)
        head.hash = entry.entry_hash
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


# -- the days of received ratings ----------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


#: What a day's seal covers of each rating: everything but what a person's request may
#: delete (comment, receipt code: server/privacy) and the review flags.
SEALED_COLUMNS = (
    Rating.id,
    Rating.device_id,
    Rating.counter_id,
    Rating.staff_id,
    Rating.session_id,
    Rating.seq,
    Rating.created_at,
    Rating.occurred_at,
    Rating.received_at,
    Rating.attitude,
    Rating.efficiency,
    Rating.process,
    Rating.environment,
    Rating.overall,
    Rating.weighted_score,
    Rating.level,
    Rating.is_low,
    Rating.reasons,
    Rating.channel,
    Rating.content_version,
    Rating.content_hash,
)


def day_digest(session: Session, day: date) -> tuple[int, str]:
    """(count, digest) of the ratings received on `day` (UTC), as the rows are now."""
    start, end = _day_bounds(day)
    rows = session.execute(
        select(*SEALED_COLUMNS)
        .where(Rating.received_at >= start, Rating.received_at < end)
        .order_by(Rating.id)
    ).tuples()
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        values = [_utc_text(v) if isinstance(v, datetime) else v for v in row]
        digest.update(_canonical({"r": values}) + b"\n")
        count += 1
    return count, digest.hexdigest()


def seal_hash(prev: str, day: date, count: int, digest: str) -> str:
    return hashlib.sha256(f"{prev}|{day.isoformat()}|{count}|{digest}".encode()).hexdigest()


def seal_days(session: Session, now: datetime) -> int:
    """Seal every day of received ratings that is over and not sealed yet, oldest first
    (days without ratings too, so the chain has no gap); how many were sealed."""
    last = session.scalars(select(RatingDaySeal).order_by(RatingDaySeal.day.desc())).first()
    if last is None:
        first_received = session.scalar(select(func.min(Rating.received_at)))
        if first_received is None:
            return 0
        day = first_received.astimezone(UTC).date()
        prev = GENESIS
    else:
        day = last.day + timedelta(days=1)
        prev = last.seal_hash
    today = now.astimezone(UTC).date()
    sealed = 0
    while day < today:
        count, digest = day_digest(session, day)
        link = seal_hash(prev, day, count, digest)
        session.add(
            RatingDaySeal(
                day=day, count=count, digest=digest, prev_hash=prev, seal_hash=link, sealed_at=now
            )
        )
        prev, day, sealed = link, day + timedelta(days=1), sealed + 1
    session.flush()
    return sealed


# -- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first link of a chain that does not match the rows as they are."""

    chain: str  # "audit" | "ratings"
    where: str  # the entry id or the day
    why: str

    def __str__(self) -> str:
        return f"{self.chain} chain broken at {self.where}: {self.why}"


@dataclass(frozen=True)
class Verified:
    entries: int
    days: int
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _entries(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    after = -1
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.chain_seq > after)
            .order_by(AuditEntry.chain_seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].chain_seq or after
        session.expunge_all()


def verify_audit(session: Session) -> tuple[int, Break | None]:
    """(entries checked, the first break or None)."""
    unchained = session.scalar(
        select(func.min(AuditEntry.id)).where(AuditEntry.chain_seq.is_(None))
    )
    prev, seq, checked = GENESIS, 0, 0
    for entry in _entries(session):
        seq += 1
        where = f"entry {entry.id} (#{entry.chain_seq})"
        if entry.chain_seq != seq:
            return checked, Break("audit", where, f"entry #{seq} is missing")
        if entry.prev_hash != prev:
            return checked, Break("audit", where, "it does not follow the entry before it")
        if entry_digest(prev, entry) != entry.entry_hash:
            return checked, Break("audit", where, "its content was changed")
        prev = entry.entry_hash
        checked += 1
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.seq, head.hash) != (seq, prev):
        return checked, Break("audit", f"entry #{head.seq}", "the newest entries were deleted")
    if unchained is not None:
        return checked, Break("audit", f"entry {unchained}", "it is outside the chain")
    return checked, None


def verify_days(session: Session) -> tuple[int, Break | None]:
    """(days checked, the first break or None)."""
    prev, day, checked = GENESIS, None, 0
    for seal in session.scalars(select(RatingDaySeal).order_by(RatingDaySeal.day)):
        where = seal.day.isoformat()
        if day is not None and seal.day != day:
            return checked, Break("ratings", day.isoformat(), "this day's seal is missing")
        if seal.prev_hash != prev:
            return checked, Break("ratings", where, "it does not follow the day before")
        count, digest = day_digest(session, seal.day)
        if count != seal.count:
            return checked, Break(
                "ratings", where, f"{count} ratings received that day, {seal.count} sealed"
            )
        if digest != seal.digest:
            return checked, Break("ratings", where, "a rating of that day was changed")
        if seal_hash(prev, seal.day, seal.count, seal.digest) != seal.seal_hash:
            return checked, Break("ratings", where, "the seal itself was changed")
        prev, day, checked = seal.seal_hash, seal.day + timedelta(days=1), checked + 1
    return checked, None


def verify(session: Session) -> Verified:
    entries, audit_break = verify_audit(session)
    days, day_break = verify_days(session)
    return Verified(entries, days, tuple(b for b in (audit_break, day_break) if b))
