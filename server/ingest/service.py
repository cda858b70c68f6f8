"""Ingest of one sync request: ratings and sessions stored once, rollups and alerts updated,
the device's bookkeeping noted, all in the caller's transaction; then the answer.

Every rating gets a result. `duplicate` is the same id with the same content already
stored (so a retried batch is harmless), `conflict` the same id with other content (kept
as first stored), `rejected` a rating that is invalid or not this device's to write.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from server import metrics
from server.alerts import repository as alerts_repository
from server.alerts import service as alerts
from server.content.service import scoring_in_force
from server.devices import repository as devices
from server.devices.service import device_config, record_contact
from server.grants.service import phone_config
from server.ingest import repository
from server.models import Device, RatingFlag
from server.scores import repository as rollups
from server.scores.service import (
    Scored,
    counter_scores_and_month,
    local_day,
    month_aggregate,
    rollup_row,
    score_of,
)
from server.sessions import repository as sessions_repository
from server.sessions.service import handling_seconds
from server.settings import Settings
from sync.protocol import (
    SESSION_FIELDS_SINCE_V1,
    Alert,
    Outcome,
    Rating,
    Result,
    ServiceSession,
    SyncRequest,
    SyncResponse,
    parse_items,
)
from sync.scoring import DIMENSION_CODES, Aggregate

log = logging.getLogger(__name__)

#: Open alerts sent back with a sync answer, soonest due first.
MAX_ALERTS_IN_ANSWER = 100
#: Device clocks reset to the epoch are corrected; years outside this are not dates.
PLAUSIBLE_YEARS = range(1900, 9000)

_ratings_adapter = TypeAdapter(list[Rating])
_sessions_adapter = TypeAdapter(list[ServiceSession])


@dataclass
class _Results:
    results: dict[str, Result] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def reject(self, key: str, reason: str) -> None:
        self.results[key] = "rejected"
        self.errors[key] = reason

    def conflict(self, key: str) -> None:
        self.results[key] = "conflict"
        self.errors[key] = "another item with this id and different content is stored"


def _parse(
    adapter: TypeAdapter[list[Any]], model: Any, raw: Sequence[dict[str, Any]]
) -> tuple[list[Any], dict[str, str]]:
    # The whole list validates in one call when all is well (the common case, and much
    # faster); otherwise item by item, so that one bad item never sinks the batch.
    try:
        return adapter.validate_python(raw), {}
    except ValidationError:
        return parse_items(model, raw)


def _content_hash(item: Rating | ServiceSession) -> str:
    # A rating without a receipt hashes as before receipts existed, so one stored by an
    # older server and sent again is still a duplicate, not a conflict; likewise a session
    # without the fields sessions gained later.
    if isinstance(item, Rating) and item.receipt is None:
        return hashlib.sha256(item.model_dump_json(exclude={"receipt"}).encode()).hexdigest()
    if isinstance(item, ServiceSession):
        unset = {name for name in SESSION_FIELDS_SINCE_V1 if getattr(item, name) is None}
        return hashlib.sha256(item.model_dump_json(exclude=unset).encode()).hexdigest()
    return hashlib.sha256(item.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class _Candidate:
    rating: Rating
    content_hash: str
    occurred_at: datetime
    stars: tuple[int, ...]
    scored: Scored
    flags: int


def ingest(
    session: Session,
    device_id: str,
    envelope: SyncRequest,
    settings: Settings,
    now: datetime,
    public_url: str | None = None,
) -> SyncResponse:
    device, hall = devices.lock_with_hall(session, device_id)
    zone = ZoneInfo(hall.timezone)
    config = scoring_in_force(session, settings)

    offset_s = (now - envelope.device_time).total_seconds()
    flagged = abs(offset_s) > settings.clock_offset_limit_s
    correction = timedelta(seconds=offset_s) if flagged else timedelta(0)

    out = _Results()
    ratings, bad = _parse(_ratings_adapter, Rating, envelope.ratings)
    for key, reason in bad.items():
        out.reject(key, reason)

    named_staff = {r.staff_id for r in ratings if r.staff_id is not None}
    roster = sessions_repository.on_roster(session, device.counter_id, named_staff)
    candidates: dict[str, _Candidate] = {}
    for rating in ratings:
        content_hash = _content_hash(rating)
        earlier = candidates.get(rating.id)
        if earlier is not None or rating.id in out.results:
            # The same id twice in one batch: the first one counts.
            if earlier is None or earlier.content_hash != content_hash:
                out.results[rating.id] = "conflict"
                out.errors[rating.id] = "the batch holds this id twice with different content"
            continue
        problem, occurred_at = _check(rating, device, correction, now, settings)
        if problem:
            out.reject(rating.id, problem)
            continue
        assert occurred_at is not None
        stars = tuple(getattr(rating.scores, code) for code in DIMENSION_CODES)
        flags = RatingFlag.NONE
        if flagged:
            flags |= RatingFlag.CLOCK_CORRECTED
        if rating.content_version != config.version:
            flags |= RatingFlag.OTHER_CONTENT_VERSION
        if rating.staff_id is not None and rating.staff_id not in roster:
            flags |= RatingFlag.UNKNOWN_STAFF
        candidates[rating.id] = _Candidate(
            rating, content_hash, occurred_at, stars, score_of(stars, config), int(flags)
        )

    rows = [_row(c, device, now) for c in candidates.values()]
    inserted, existing = repository.store_ratings(session, rows)
    _classify_existing(out, candidates, existing)
    lost_race = [cid for cid in candidates if cid not in inserted]
    if lost_race:
        _classify_existing(
            out,
            {k: candidates[k] for k in lost_race},
            repository.existing_hashes(session, lost_race),
        )
    excluded = _one_rating_per_session(session, out, candidates, inserted)
    stored = [candidates[cid] for cid in candidates if cid in inserted]
    counted = [c for c in stored if c.rating.id not in excluded]
    for candidate in stored:
        # A differing copy later in the same batch already made it a conflict: keep saying so.
        out.results.setdefault(candidate.rating.id, "accepted")

    # Scores after the rollups, alerts after the scores: the scores' month aggregate is
    # what the monthly low-rate rule needs for the current month (one query fewer).
    just_stored = [StoredRating(c.rating.id, c.occurred_at, c.stars, c.scored) for c in counted]
    add_to_rollups(session, device.counter_id, just_stored, zone)
    scores, month_first, month = counter_scores_and_month(
        session, device.counter_id, hall.id, hall.timezone, now, config
    )
    raise_alerts(session, device.counter_id, just_stored, zone, now, settings, {month_first: month})
    _ingest_sessions(session, device, envelope.sessions, correction, now, out)

    # Only ratings the server holds (stored now or before) move the seq bookkeeping: a
    # rejected rating's seq, whatever it claims, is not evidence of anything.
    held = {r.id: r.seq for r in ratings if out.results.get(r.id) in ("accepted", "duplicate")}
    seqs = list(held.values())
    record_contact(
        device,
        now=now,
        app_version=envelope.app_version,
        queue_depth=envelope.queue_depth,
        oldest_pending_at=envelope.oldest_pending_at,
        clock_offset_s=offset_s,
        clock_flagged=flagged,
        seqs=seqs,
        stored=len(stored),
    )
    session.flush()
    _count(out, len(envelope.ratings))
    log.info(
        "sync device=%s counter=%s batch=%s ratings=%d accepted=%d duplicate=%d conflict=%d "
        "rejected=%d clock_offset_s=%.1f",
        device.id,
        device.counter_id,
        envelope.batch_id,
        len(envelope.ratings),
        *(_tally(out, r) for r in ("accepted", "duplicate", "conflict", "rejected")),
        offset_s,
    )
    config_out = device_config(session, settings, hall)
    config_out["device_clock_offset_s"] = round(offset_s, 3)
    config_out.update(phone_config(session, settings, device.counter_id, public_url, now))
    open_alerts = alerts_repository.open_for_counter(
        session, device.counter_id, MAX_ALERTS_IN_ANSWER
    )
    return SyncResponse(
        protocol=1,
        batch_id=envelope.batch_id,
        server_time=now,
        results=out.results,
        errors=out.errors,
        counter_scores=scores,
        alerts=[
            Alert(
                id=str(a.id),
                kind=a.kind,  # type: ignore[arg-type]
                counter_id=a.counter_id,
                rating_id=a.rating_id,
                state=a.state,  # type: ignore[arg-type]
                created_at=a.created_at,
                due_at=a.due_at,
                escalated=a.escalated,
            )
            for a in open_alerts
        ],
        config=config_out,
    )


def _one_rating_per_session(
    session: Session, out: _Results, candidates: dict[str, _Candidate], inserted: set[str]
) -> set[str]:
    """One service, one rating (一次一评): a rating just stored for a session that another
    rating (kiosk or phone, this batch or another) already holds stays stored, marked
    excluded, and counts nowhere. The session claim is a primary key, so this holds under
    any concurrency. The ids excluded."""
    claims = [
        (sid, cid)
        for cid, candidate in candidates.items()
        if cid in inserted and (sid := candidate.rating.session_id) is not None
    ]
    owners = repository.claim_sessions(session, claims)
    losers = {cid for sid, cid in claims if owners.get(sid) != cid}
    if not losers:
        return set()
    repository.flag_ratings(session, losers, RatingFlag.EXCLUDED_DUPLICATE)
    for cid in losers:
        out.results[cid] = "accepted"
        out.errors[cid] = (
            "stored and excluded: this service session already has a rating "
            "(one service, one rating)"
        )
    log.info("sync: %d ratings stored excluded (session already rated)", len(losers))
    return losers


def _check(
    rating: Rating, device: Device, correction: timedelta, now: datetime, settings: Settings
) -> tuple[str | None, datetime | None]:
    """Why a well-formed rating cannot be stored (None if it can), and when it happened."""
    if rating.counter_id != device.counter_id:
        return (
            f"counter_id {rating.counter_id!r} is not this device's counter "
            f"({device.counter_id!r})",
            None,
        )
    occurred_at = _corrected(rating.created_at, correction)
    if occurred_at is None:
        return "created_at is not a plausible date", None
    if occurred_at > now + timedelta(seconds=settings.future_tolerance_s):
        return "created_at is in the future (after clock correction)", None
    if occurred_at < now - timedelta(days=settings.max_rating_age_days):
        return f"created_at is more than {settings.max_rating_age_days} days ago", None
    return None, occurred_at


def _corrected(moment: datetime, correction: timedelta) -> datetime | None:
    """`moment` in UTC on the server's clock, or None when it is no plausible date."""
    try:
        utc = moment.astimezone(UTC)
        if utc.year not in PLAUSIBLE_YEARS:
            return None
        return utc + correction
    except OverflowError:
        return None


def _classify_existing(
    out: _Results, candidates: dict[str, _Candidate], existing: dict[str, str]
) -> None:
    for rating_id, stored_hash in existing.items():
        candidate = candidates.pop(rating_id, None)
        if candidate is None:
            continue
        if stored_hash == candidate.content_hash:
            out.results[rating_id] = "duplicate"
        else:
            out.conflict(rating_id)


def _row(c: _Candidate, device: Device, now: datetime) -> dict[str, Any]:
    r = c.rating
    row: dict[str, Any] = {
        "id": r.id,
        "device_id": device.id,
        "counter_id": r.counter_id,
        "staff_id": r.staff_id,
        "session_id": r.session_id,
        "seq": r.seq,
        "created_at": r.created_at,
        "occurred_at": c.occurred_at,
        "received_at": now,
        "weighted_score": c.scored.weighted,
        "level": c.scored.level,
        "is_low": c.scored.is_low,
        "reasons": list(r.reasons),
        "comment": r.comment,
        "channel": r.channel,
        "content_version": r.content_version,
        "content_hash": c.content_hash,
        "flags": c.flags,
        "receipt_code": r.receipt,
    }
    row.update(zip(DIMENSION_CODES, c.stars, strict=True))
    return row


@dataclass(frozen=True)
class StoredRating:
    """A rating just stored, as the rollups and alerts need it."""

    rating_id: str
    occurred_at: datetime
    stars: tuple[int, ...]
    scored: Scored


def update_rollups_and_alerts(
    session: Session,
    counter_id: str,
    stored: Sequence[StoredRating],
    zone: ZoneInfo,
    now: datetime,
    settings: Settings,
) -> None:
    """Add newly stored ratings of one counter to its rollups and raise their alerts: the
    one path for kiosk and phone ratings alike (the sync ingest runs the two halves with
    the counter's scores read in between)."""
    add_to_rollups(session, counter_id, stored, zone)
    raise_alerts(session, counter_id, stored, zone, now, settings)


def add_to_rollups(
    session: Session, counter_id: str, stored: Sequence[StoredRating], zone: ZoneInfo
) -> None:
    if not stored:
        return
    by_day: dict[date, list[tuple[tuple[int, ...], Scored]]] = defaultdict(list)
    for c in stored:
        by_day[local_day(c.occurred_at, zone)].append((c.stars, c.scored))
    rollups.add_to_rollups(
        session, [rollup_row(counter_id, day, items) for day, items in by_day.items()]
    )


def raise_alerts(
    session: Session,
    counter_id: str,
    stored: Sequence[StoredRating],
    zone: ZoneInfo,
    now: datetime,
    settings: Settings,
    known: dict[date, Aggregate] | None = None,
) -> None:
    """Alerts for the low scores among `stored`, and the monthly low-rate rule for each
    month they touch (`known`: month aggregates already read, by first day)."""
    if not stored:
        return
    known = known or {}
    months = {local_day(c.occurred_at, zone).replace(day=1) for c in stored}
    aggregates = {m: known.get(m) or month_aggregate(session, counter_id, m) for m in months}
    low = [(c.rating_id, c.occurred_at) for c in stored if c.scored.is_low]
    alerts.raise_alerts(
        session, counter_id, low, aggregates, now, scoring_in_force(session, settings)
    )


def _ingest_sessions(
    session: Session,
    device: Device,
    raw: Sequence[dict[str, Any]],
    correction: timedelta,
    now: datetime,
    out: _Results,
) -> None:
    """Sessions are stored once; a later copy may only fill in how the session ended."""
    if not raw:
        return
    items, bad = _parse(_sessions_adapter, ServiceSession, raw)
    for key, reason in bad.items():
        out.reject(key, reason)
    fresh: dict[str, tuple[ServiceSession, str]] = {}
    for item in items:
        if item.counter_id != device.counter_id:
            out.reject(item.id, f"counter_id {item.counter_id!r} is not this device's counter")
            continue
        if _corrected(item.started_at, correction) is None or (
            item.ended_at is not None and _corrected(item.ended_at, correction) is None
        ):
            out.reject(item.id, "started_at or ended_at is not a plausible date")
            continue
        fresh[item.id] = (item, _content_hash(item))
    existing = repository.existing_sessions(session, list(fresh))
    named_staff = {item.staff_id for item, _ in fresh.values() if item.staff_id is not None}
    roster = sessions_repository.on_roster(session, device.counter_id, named_staff)
    rows: list[dict[str, Any]] = []
    for sid, (item, content_hash) in fresh.items():
        stored = existing.get(sid)
        started_at = _corrected(item.started_at, correction)
        ended_at = _corrected(item.ended_at, correction) if item.ended_at else None
        assert started_at is not None  # checked above
        if stored is None:
            rows.append(
                {
                    "id": sid,
                    "device_id": device.id,
                    "counter_id": item.counter_id,
                    "staff_id": item.staff_id,
                    "ticket": item.ticket,
                    "started_at": started_at,
                    "ended_at": ended_at,
                    "finished_in_one_visit": _one_visit(item),
                    "received_at": now,
                    "content_hash": content_hash,
                    "matter_code": item.matter_code,
                    "outcome": item.outcome.value if item.outcome else None,
                    "handling_s": handling_seconds(started_at, ended_at, item.outcome),
                    "unknown_staff": item.staff_id is not None and item.staff_id not in roster,
                }
            )
        elif stored.content_hash == content_hash:
            out.results[sid] = "duplicate"
        elif (
            stored.ended_at is None
            and item.ended_at is not None
            and _same_opening(item, stored.content_hash)
        ):
            stored.ended_at = ended_at
            stored.finished_in_one_visit = _one_visit(item)
            stored.outcome = item.outcome.value if item.outcome else None
            stored.handling_s = handling_seconds(stored.started_at, ended_at, item.outcome)
            stored.content_hash = content_hash
            out.results[sid] = "accepted"
        else:
            out.conflict(sid)
    inserted = repository.insert_sessions(session, rows)
    for row in rows:
        sid = str(row["id"])
        if sid in inserted:
            out.results[sid] = "accepted"
        else:
            out.conflict(sid)  # stored meanwhile by a concurrent copy of this batch


def _one_visit(item: ServiceSession) -> bool | None:
    """`finished_in_one_visit` as sent, or as its outcome implies when only that was sent."""
    if item.finished_in_one_visit is not None or item.outcome is None:
        return item.finished_in_one_visit
    return None if item.outcome == Outcome.CANCELLED else item.outcome == Outcome.ONE_VISIT


def _same_opening(item: ServiceSession, stored_hash: str) -> bool:
    """Whether `item` is the session stored as still open, now with its end filled in:
    the same ticket, staff, matter, counter and start (anything else is another session)."""
    opened = item.model_copy(update={"ended_at": None, "outcome": None})
    bare = item.model_copy(
        update={"ended_at": None, "finished_in_one_visit": None, "outcome": None}
    )
    return stored_hash in (_content_hash(opened), _content_hash(bare))


def _tally(out: _Results, result: str) -> int:
    return sum(1 for r in out.results.values() if r == result)


def _count(out: _Results, received: int) -> None:
    metrics.RATINGS_RECEIVED.inc(received)
    for result in ("accepted", "duplicate", "conflict", "rejected"):
        n = _tally(out, result)
        if n:
            metrics.ITEM_RESULTS.labels(result=result).inc(n)
