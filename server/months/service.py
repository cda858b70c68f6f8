"""The month as a first-class thing: its figures (open or closed), closing it into an
immutable snapshot, verifying a closed month against the raw ratings, and the ratings that
arrived for a month after it closed (adjustments, listed in a later month's report)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.audit.service import record
from server.content.service import scoring_in_force_at
from server.models import SCORE_SCALE, Matter, MonthClose, User
from server.months import rectification, repository
from server.months.figures import Json, compute_period
from server.months.handling import StandardOf, no_catalog
from server.months.periods import Period, PeriodKind, month_of, parse_month
from server.settings import Settings
from sync.scoring import ScoringConfig

#: How long before the closing moment the snapshot is taken (longer than any ingest
#: transaction runs): see `close_month`.
CLOSE_MARGIN = timedelta(minutes=2)


class MonthError(ValueError):
    """A month that cannot be closed, verified or shown (not ended, closed already, ...)."""


def canonical(figures: Json) -> str:
    """The one text of a month's figures that its digest is taken over."""
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(figures: Json) -> str:
    return hashlib.sha256(canonical(figures).encode()).hexdigest()


@dataclass(frozen=True)
class HallClock:
    hall_id: str
    zone: ZoneInfo


def matter_standards(session: Session) -> StandardOf:
    """Each matter's standard handling minutes from the matter catalog (`matters`), for
    `handling.handling_time`; a matter not in it is held to the default (10 minutes)."""
    standards = {
        code: Decimal(minutes)
        for code, minutes in session.execute(select(Matter.code, Matter.standard_minutes))
    }
    return standards.get if standards else no_catalog


def hall_clock(session: Session, hall_id: str) -> HallClock:
    hall = repository.hall(session, hall_id)
    if hall is None:
        raise MonthError(f"no hall {hall_id!r}")
    return HallClock(hall.id, ZoneInfo(hall.timezone))


def _previous_last_place(
    session: Session,
    settings: Settings,
    clock: HallClock,
    period: Period,
    as_of: datetime,
    standard_of: StandardOf,
) -> list[str]:
    """The counters last in the previous month's ranking: as published when that month was
    closed by `as_of`, else as computed now."""
    previous = period.previous()
    closed = repository.month_close(session, clock.hall_id, previous.label)
    if closed is not None and closed.closed_at <= as_of:
        return list(closed.figures.get("last_place", []))
    _, end = previous.bounds(clock.zone)
    config = scoring_in_force_at(session, settings, end)
    figures = compute_period(
        session,
        clock.hall_id,
        previous,
        as_of=as_of,
        config=config,
        zone=clock.zone,
        standard_of=standard_of,
    )
    return list(figures["last_place"])


def adjustments(session: Session, clock: HallClock, period: Period, as_of: datetime) -> list[Json]:
    """Ratings received during `period` (by `as_of`) for a month that had been closed when
    they arrived: listed in this period's report, never written into the closed month."""
    start, end = period.bounds(clock.zone)
    closes = [
        (*parse_month(month).bounds(clock.zone), closed_at)
        for month, closed_at in repository.close_times(session, clock.hall_id)
        if closed_at <= as_of
    ]
    counter_ids = [c.id for c in repository.counters(session, clock.hall_id)]
    rows = repository.late_ratings(
        session, counter_ids, start, closes, start, min(end, as_of + timedelta(microseconds=1))
    )
    return [
        {
            "rating_id": r.rating_id,
            "month": f"{r.occurred_at.astimezone(clock.zone):%Y-%m}",
            "counter_id": r.counter_id,
            "staff_id": r.staff_id,
            "occurred_at": r.occurred_at.isoformat(),
            "received_at": r.received_at.isoformat(),
            "score": str(Decimal(r.weighted) / SCORE_SCALE),
        }
        for r in rows
    ]


def compute(
    session: Session,
    settings: Settings,
    hall_id: str,
    period: Period,
    *,
    as_of: datetime,
    config: ScoringConfig | None = None,
    standard_of: StandardOf | None = None,
    summary_only: bool = False,
) -> Json:
    """A period's figures as of `as_of`, with the rules in force at its end (or `config`),
    the formal-talk list (months) and the adjustments received during it; `summary_only`:
    the hall's totals alone."""
    clock = hall_clock(session, hall_id)
    _, end = period.bounds(clock.zone)
    config = config or scoring_in_force_at(session, settings, end)
    standard_of = standard_of or matter_standards(session)
    previous = (
        _previous_last_place(session, settings, clock, period, as_of, standard_of)
        if period.kind is PeriodKind.MONTH and not summary_only
        else None
    )
    figures = compute_period(
        session,
        hall_id,
        period,
        as_of=as_of,
        config=config,
        zone=clock.zone,
        standard_of=standard_of,
        previous_last_place=previous,
        summary_only=summary_only,
    )
    figures["adjustments"] = adjustments(session, clock, period, as_of)
    return figures


@dataclass(frozen=True)
class MonthView:
    """A month as the pages and reports show it: the snapshot when closed, else live."""

    figures: Json
    closed: MonthClose | None


def month_view(
    session: Session,
    settings: Settings,
    hall_id: str,
    period: Period,
    now: datetime,
    standard_of: StandardOf | None = None,
    summary_only: bool = False,
) -> MonthView:
    """The closed snapshot of a month, else its figures computed as of `now`."""
    if period.kind is PeriodKind.MONTH:
        closed = repository.month_close(session, hall_id, period.label)
        if closed is not None:
            return MonthView(closed.figures, closed)
    figures = compute(
        session,
        settings,
        hall_id,
        period,
        as_of=now,
        standard_of=standard_of,
        summary_only=summary_only,
    )
    return MonthView(figures, None)


def close_month(
    session: Session,
    settings: Settings,
    hall_id: str,
    month: str,
    *,
    now: datetime,
    by: User | None = None,
    by_name: str = "cli",
    standard_of: StandardOf | None = None,
) -> MonthClose:
    """Close a hall's month: store its figures as of now, never to change; open a
    rectification order for each counter over the low-score limit.

    Run it in a transaction begun as a writer (`database.begin_write`): on SQLite a read
    transaction that writes later fails when another writer came in between.
    """
    period = parse_month(month)
    clock = hall_clock(session, hall_id)
    _, end = period.bounds(clock.zone)
    # The snapshot is taken as of a moment a little before now, whole seconds (what every
    # database keeps): an ingest that stamped its ratings' arrival before that moment has
    # committed by now, and one stamped after it makes adjustments. Nothing falls between.
    as_of = (now - CLOSE_MARGIN).replace(microsecond=0)
    if as_of < end:
        raise MonthError(f"{period.label} has not ended yet in {clock.zone.key}")
    if repository.month_close(session, hall_id, period.label) is not None:
        raise MonthError(f"{period.label} of {hall_id} is closed already")
    figures = compute(session, settings, hall_id, period, as_of=as_of, standard_of=standard_of)
    row = MonthClose(
        hall_id=hall_id,
        month=period.label,
        closed_at=as_of,
        closed_by=(by.username if by is not None else by_name)[:64],
        config_version=str(figures["config_version"]),
        figures=figures,
        digest=digest_of(figures),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # Another worker or person closed it in the meantime.
        raise MonthError(f"{period.label} of {hall_id} is closed already") from None
    orders = rectification.open_for_month(session, figures, now=as_of)
    record(
        session,
        user=by,
        username=None if by is not None else by_name,
        action="month.close",
        at=as_of,
        object_type="month",
        object_id=f"{hall_id}:{period.label}",
        hall_id=hall_id,
        after={
            "digest": row.digest,
            "config_version": row.config_version,
            "ratings": figures["totals"]["ratings"],
            "rectifications": [o.counter_id for o in orders],
        },
    )
    return row


@dataclass(frozen=True)
class Verification:
    month: str
    hall_id: str
    digest_ok: bool
    #: Paths where a recomputation as of the closing time differs from the snapshot.
    differences: list[str]
    #: Ratings received after the close for this month (adjustments elsewhere).
    late_ratings: int
    #: Paths where a recomputation with everything received now differs.
    differences_now: list[str]

    @property
    def ok(self) -> bool:
        return self.digest_ok and not self.differences


def _diff(a: Any, b: Any, path: str, out: list[str], limit: int = 50) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items, recomputed {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            ident = x.get("id") if isinstance(x, dict) else None
            _diff(x, y, f"{path}[{ident if ident is not None else i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {a!r} -> {b!r}")


def verify_month(
    session: Session,
    settings: Settings,
    hall_id: str,
    month: str,
    *,
    now: datetime,
    standard_of: StandardOf | None = None,
) -> Verification:
    """Recompute a closed month from the raw ratings with the rules it was closed with:
    as of its closing (must equal the snapshot) and as of now (the late ratings' effect)."""
    period = parse_month(month)
    row = repository.month_close(session, hall_id, period.label)
    if row is None:
        raise MonthError(f"{period.label} of {hall_id} is not closed")
    config = ScoringConfig.from_mapping(row.figures["rules"])
    again = compute(
        session,
        settings,
        hall_id,
        period,
        as_of=row.closed_at,
        config=config,
        standard_of=standard_of,
    )
    differences: list[str] = []
    _diff(row.figures, again, "", differences)
    current = compute(
        session, settings, hall_id, period, as_of=now, config=config, standard_of=standard_of
    )
    for key in ("as_of", "adjustments"):
        current.pop(key)
    stored = {k: v for k, v in row.figures.items() if k not in ("as_of", "adjustments")}
    differences_now: list[str] = []
    _diff(stored, current, "", differences_now)
    late = current["totals"]["ratings"] - row.figures["totals"]["ratings"]
    return Verification(
        month=period.label,
        hall_id=hall_id,
        digest_ok=digest_of(row.figures) == row.digest,
        differences=differences,
        late_ratings=late,
        differences_now=differences_now,
    )


def months_due_for_closing(
    session: Session, settings: Settings, now: datetime
) -> list[tuple[str, str]]:
    """(hall, month) pairs past `month_close_after_days` after the month's end and not
    closed: the previous month of each hall."""
    due: list[tuple[str, str]] = []
    for hall in repository.halls(session):
        zone = ZoneInfo(hall.timezone)
        period = month_of(now.astimezone(zone).date()).previous()
        _, end = period.bounds(zone)
        if hall.created_at >= end:
            continue  # the hall did not exist that month
        if now >= end + timedelta(days=settings.month_close_after_days) and (
            repository.month_close(session, hall.id, period.label) is None
        ):
            due.append((hall.id, period.label))
    return due


def close_due_months(session: Session, settings: Settings, now: datetime) -> list[MonthClose]:
    """Close, as "auto", every month past its closing delay (the background job)."""
    return [
        close_month(session, settings, hall_id, month, now=now, by_name="auto")
        for hall_id, month in months_due_for_closing(session, settings, now)
    ]


def closed_months(session: Session, hall_id: str) -> Sequence[MonthClose]:
    return repository.closed_months(session, hall_id)
