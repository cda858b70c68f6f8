"""Rankings of counters or staff over any period: Bayesian mean (sync/scoring.py's
`rank_counters`), with the raw mean, count, satisfaction and low-score rates and the
per-dimension means beside it. Counters are read from the day rollups the kiosks' scores
come from; staff from the ratings themselves (the rollups are per counter)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from server.models import SCORE_SCALE, Counter, CounterDayRollup, Hall, Rating, Staff
from server.scores.periods import Period
from server.scores.repository import SUM_COLUMNS
from server.scores.service import aggregate_of
from sync.scoring import DIMENSION_CODES, Aggregate, ScoringConfig, rank_counters


class Subject(StrEnum):
    COUNTER = "counter"
    STAFF = "staff"


class SortKey(StrEnum):
    RANK = "rank"
    MEAN = "mean"
    COUNT = "count"
    SATISFACTION = "satisfaction"
    LOW = "low"
    NAME = "name"


@dataclass(frozen=True)
class RankRow:
    key: str
    name: str
    hall_id: str
    hall_name: str
    aggregate: Aggregate
    rank: int
    shrunk_mean: Decimal
    #: Fewer ratings than the prior's weight: the Bayesian mean is mostly the prior.
    small_sample: bool


@dataclass(frozen=True)
class Ranking:
    subject: Subject
    period: Period
    rows: list[RankRow]
    total: Aggregate
    #: Below this many ratings a row is marked as a small sample (never hidden).
    small_below: int


def rating_sums_columns(config: ScoringConfig) -> list[Any]:
    """SQL sums over ratings, in SUM_COLUMNS order (what a rollup row holds)."""
    satisfied_from = int(config.satisfied_from * SCORE_SCALE)
    columns: list[Any] = [func.count(), func.sum(Rating.weighted_score)]
    columns += [func.sum(getattr(Rating, code)) for code in DIMENSION_CODES]
    columns += [func.sum(case((Rating.level == n, 1), else_=0)) for n in range(1, 6)]
    columns.append(func.sum(case((Rating.is_low, 1), else_=0)))
    columns.append(func.sum(case((Rating.weighted_score >= satisfied_from, 1), else_=0)))
    return columns


def period_filter(halls: Sequence[Hall], period: Period) -> ColumnElement[bool]:
    """Ratings of `halls`' counters made within `period`'s local days (each hall in its
    own time zone)."""
    by_zone: dict[str, list[str]] = {}
    for hall in halls:
        by_zone.setdefault(hall.timezone, []).append(hall.id)
    parts = []
    for zone, ids in by_zone.items():
        start, end = period.utc_bounds(zone)
        parts.append(
            (Rating.occurred_at >= start)
            & (Rating.occurred_at < end)
            & Rating.counter_id.in_(select(Counter.id).where(Counter.hall_id.in_(ids)))
        )
    return or_(*parts) if parts else Rating.id.is_(None)


def _sums(row: Sequence[Any]) -> tuple[int, ...]:
    return tuple(int(v or 0) for v in row)


def counter_sums(
    session: Session, halls: Sequence[Hall], period: Period
) -> dict[str, tuple[int, ...]]:
    table = CounterDayRollup.__table__
    query = (
        select(table.c.counter_id, *(func.sum(table.c[name]) for name in SUM_COLUMNS))
        .join(Counter, Counter.id == table.c.counter_id)
        .where(
            Counter.hall_id.in_([h.id for h in halls]),
            table.c.day >= period.first,
            table.c.day <= period.last,
        )
        .group_by(table.c.counter_id)
    )
    return {row[0]: _sums(row[1:]) for row in session.execute(query) if row[1]}


def staff_sums(
    session: Session, halls: Sequence[Hall], period: Period, config: ScoringConfig
) -> dict[str, tuple[int, ...]]:
    query = (
        select(Rating.staff_id, *rating_sums_columns(config))
        .where(period_filter(halls, period), Rating.staff_id.is_not(None))
        .group_by(Rating.staff_id)
    )
    return {row[0]: _sums(row[1:]) for row in session.execute(query)}


def ranking(
    session: Session,
    halls: Sequence[Hall],
    period: Period,
    subject: Subject,
    config: ScoringConfig,
    sort: SortKey = SortKey.RANK,
    descending: bool = False,
) -> Ranking:
    """Counters (or staff) of `halls` with ratings in `period`, ranked best first."""
    hall_names = {h.id: h.name for h in halls}
    if subject is Subject.COUNTER:
        sums = counter_sums(session, halls, period)
        named = session.execute(
            select(Counter.id, Counter.name, Counter.hall_id).where(
                Counter.hall_id.in_(list(hall_names))
            )
        ).all()
    else:
        sums = staff_sums(session, halls, period, config)
        named = session.execute(
            select(Staff.id, Staff.name, Staff.hall_id).where(Staff.hall_id.in_(list(hall_names)))
        ).all()
    names = {key: (name, hall_id) for key, name, hall_id in named}
    aggregates = {key: aggregate_of(s) for key, s in sums.items()}
    small_below = int(config.ranking_prior_weight)
    rows = []
    for ranked in rank_counters(aggregates, config):
        name, hall_id = names.get(ranked.counter_id, (ranked.counter_id, ""))
        aggregate = aggregates[ranked.counter_id]
        rows.append(
            RankRow(
                key=ranked.counter_id,
                name=name,
                hall_id=hall_id,
                hall_name=hall_names.get(hall_id, ""),
                aggregate=aggregate,
                rank=ranked.rank,
                shrunk_mean=ranked.shrunk_mean,
                small_sample=aggregate.count < small_below,
            )
        )
    rows = sort_rows(rows, sort, descending)
    return Ranking(
        subject=subject,
        period=period,
        rows=rows,
        total=sum(aggregates.values(), Aggregate()),
        small_below=small_below,
    )


def sort_rows(rows: list[RankRow], sort: SortKey, descending: bool) -> list[RankRow]:
    """Rows by `sort`; ties keep rank order. Rank ascending is the ranking itself."""
    if sort is SortKey.RANK:
        return list(reversed(rows)) if descending else rows

    def key(row: RankRow) -> Any:
        agg = row.aggregate
        value: Any = {
            SortKey.MEAN: agg.mean,
            SortKey.COUNT: agg.count,
            SortKey.SATISFACTION: agg.satisfaction_rate,
            SortKey.LOW: agg.low_rate,
            SortKey.NAME: row.name,
        }[sort]
        return value if value is not None else Decimal(-1)

    return sorted(rows, key=key, reverse=descending)
