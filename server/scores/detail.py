"""A counter's or staff member's page: the period's figures beside the previous period's,
the trend by day or week, levels, dimensions, an hour-of-day x weekday heatmap, the
low-score reasons ranked and the alerts with how fast they were answered.

Figures are sums of the stored per-rating values (weighted score, level, low flag) put
through `sync.scoring.Aggregate`, as the rollups are, so they equal the rollups' and the
rankings' for the same ratings."""

from __future__ import annotations

import statistics
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import SCORE_SCALE, Alert, Counter, Hall, Rating
from server.scores.indicators import Scope, Value, counts_for, indicators_of
from server.scores.periods import Period
from server.scores.rankings import Subject
from server.scores.repository import SUM_COLUMNS
from server.scores.service import aggregate_of
from sync.scoring import DIMENSION_CODES, Aggregate, ScoringConfig

#: Longer periods show their trend by ISO week rather than by day.
DAILY_UP_TO_DAYS = 62
_WIDTH = len(SUM_COLUMNS)


@dataclass(frozen=True)
class TrendPoint:
    label: str
    current: Aggregate
    previous: Aggregate


@dataclass(frozen=True)
class HeatCell:
    count: int
    mean: Decimal | None


@dataclass(frozen=True)
class AlertLine:
    id: int
    kind: str
    state: str
    created_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class AlertSummary:
    count: int
    acknowledged: int
    closed: int
    #: Median hours from the server learning of the low score to its acknowledgement.
    median_hours_to_acknowledge: float | None
    latest: list[AlertLine] = field(default_factory=list)


@dataclass(frozen=True)
class Detail:
    subject: Subject
    key: str
    hall: Hall
    period: Period
    previous_period: Period
    current: Aggregate
    previous: Aggregate
    by_week: bool
    trend: list[TrendPoint]
    #: [weekday 0=Monday][hour 0-23]
    heatmap: list[list[HeatCell]]
    reasons: list[tuple[str, int]]
    alerts: AlertSummary
    indicators: list[Value]


def _empty() -> list[int]:
    return [0] * _WIDTH


def _add(
    sums: list[int], stars: tuple[int, ...], weighted: int, level: int, low: bool, satisfied: bool
) -> None:
    sums[0] += 1
    sums[1] += weighted
    for i, value in enumerate(stars):
        sums[2 + i] += value
    sums[2 + len(DIMENSION_CODES) + level - 1] += 1
    sums[-2] += low
    sums[-1] += satisfied


def subject_filter(subject: Subject, key: str, hall: Hall) -> list[object]:
    if subject is Subject.COUNTER:
        return [Rating.counter_id == key]
    return [
        Rating.staff_id == key,
        Rating.counter_id.in_(select(Counter.id).where(Counter.hall_id == hall.id)),
    ]


def detail(
    session: Session,
    hall: Hall,
    subject: Subject,
    key: str,
    period: Period,
    config: ScoringConfig,
    latest_alerts: int = 20,
) -> Detail:
    zone = ZoneInfo(hall.timezone)
    previous = period.previous()
    start, end = period.utc_bounds(hall.timezone)
    prev_start, prev_end = previous.utc_bounds(hall.timezone)
    satisfied_from = int(config.satisfied_from * SCORE_SCALE)
    where = subject_filter(subject, key, hall)
    dims = [getattr(Rating, code) for code in DIMENSION_CODES]
    rows = session.execute(
        select(
            Rating.occurred_at,
            Rating.weighted_score,
            Rating.level,
            Rating.is_low,
            Rating.reasons,
            *dims,
        ).where(*where, Rating.occurred_at >= prev_start, Rating.occurred_at < end)  # type: ignore[arg-type]
    )
    by_week = period.days > DAILY_UP_TO_DAYS
    current_total, previous_total = _empty(), _empty()
    current_days: dict[date, list[int]] = {}
    previous_days: dict[date, list[int]] = {}
    heat_count = [[0] * 24 for _ in range(7)]
    heat_sum = [[0] * 24 for _ in range(7)]
    reasons: Tally[str] = Tally()
    for occurred, weighted, level, low, reason_codes, *stars in rows:
        local = occurred.astimezone(zone)
        day = local.date()
        satisfied = weighted >= satisfied_from
        if occurred >= start:
            _add(current_total, tuple(stars), weighted, level, low, satisfied)
            _add(
                current_days.setdefault(day, _empty()),
                tuple(stars),
                weighted,
                level,
                low,
                satisfied,
            )
            heat_count[local.weekday()][local.hour] += 1
            heat_sum[local.weekday()][local.hour] += weighted
            if low:
                reasons.update(str(code) for code in reason_codes or [])
        elif prev_start <= occurred < prev_end:
            _add(previous_total, tuple(stars), weighted, level, low, satisfied)
            _add(
                previous_days.setdefault(day, _empty()),
                tuple(stars),
                weighted,
                level,
                low,
                satisfied,
            )
    trend = _trend(period, previous, current_days, previous_days, by_week)
    heatmap = [
        [
            HeatCell(
                heat_count[d][h],
                Decimal(heat_sum[d][h]) / SCORE_SCALE / heat_count[d][h]
                if heat_count[d][h]
                else None,
            )
            for h in range(24)
        ]
        for d in range(7)
    ]
    scope = Scope(
        start=start,
        end=end,
        counter_id=key if subject is Subject.COUNTER else None,
        staff_id=key if subject is Subject.STAFF else None,
        hall_ids=(hall.id,),
    )
    return Detail(
        subject=subject,
        key=key,
        hall=hall,
        period=period,
        previous_period=previous,
        current=aggregate_of(tuple(current_total)),
        previous=aggregate_of(tuple(previous_total)),
        by_week=by_week,
        trend=trend,
        heatmap=heatmap,
        reasons=reasons.most_common(),
        alerts=_alerts(
            session,
            [
                *where,
                Alert.counter_id == key
                if subject is Subject.COUNTER
                else Alert.counter_id.in_(select(Counter.id).where(Counter.hall_id == hall.id)),
            ],
            start,
            end,
            latest_alerts,
        ),
        indicators=indicators_of(counts_for(session, scope)),
    )


def _trend(
    period: Period,
    previous: Period,
    current_days: dict[date, list[int]],
    previous_days: dict[date, list[int]],
    by_week: bool,
) -> list[TrendPoint]:
    """Point n of the period beside point n of the previous period (day or week)."""
    step = 7 if by_week else 1
    points = []
    for offset in range(0, period.days, step):
        first = period.first + timedelta(days=offset)
        prev_first = previous.first + timedelta(days=offset)
        cur, prev = _empty(), _empty()
        for n in range(step):
            day = first + timedelta(days=n)
            if day <= period.last and day in current_days:
                cur = [a + b for a, b in zip(cur, current_days[day], strict=True)]
            prev_day = prev_first + timedelta(days=n)
            if prev_day <= previous.last and prev_day in previous_days:
                prev = [a + b for a, b in zip(prev, previous_days[prev_day], strict=True)]
        points.append(
            TrendPoint(first.isoformat(), aggregate_of(tuple(cur)), aggregate_of(tuple(prev)))
        )
    return points


def _alerts(
    session: Session, where: list[object], start: datetime, end: datetime, latest: int
) -> AlertSummary:
    found = session.execute(
        select(Alert.id, Alert.kind, Alert.state, Alert.created_at, Alert.acknowledged_at)
        .join(Rating, Rating.id == Alert.rating_id)
        .where(*where, Rating.occurred_at >= start, Rating.occurred_at < end)  # type: ignore[arg-type]
        .order_by(Alert.created_at.desc())
    ).all()
    lines = [AlertLine(*row) for row in found]
    waits = [
        (a.acknowledged_at - a.created_at).total_seconds() / 3600
        for a in lines
        if a.acknowledged_at is not None
    ]
    return AlertSummary(
        count=len(lines),
        acknowledged=len(waits),
        closed=sum(1 for a in lines if a.state == "closed"),
        median_hours_to_acknowledge=statistics.median(waits) if waits else None,
        latest=lines[:latest],
    )
