"""Counter scores for a period, computed from rollups with the rules of sync/scoring.py."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.models import SCORE_SCALE
from server.scores import repository
from server.scores.repository import SUM_COLUMNS
from sync.protocol import CounterScores, PeriodScore
from sync.scoring import (
    DIMENSION_CODES,
    Aggregate,
    Level,
    RankedCounter,
    ScoringConfig,
    is_low_score,
    is_satisfied,
    level_of,
    rank_counters,
    weighted_score,
)

LAST_DAYS = 30


@dataclass(frozen=True)
class Scored:
    """A rating's derived figures, as stored."""

    weighted: int  # x SCORE_SCALE
    level: int
    is_low: bool
    is_satisfied: bool


_scored_cache: dict[tuple[str, tuple[int, ...]], Scored] = {}


def score_of(scores: tuple[int, ...], config: ScoringConfig) -> Scored:
    """Weighted score, level and flags of one rating's stars (in DIMENSION_CODES order).

    There are only 5**5 combinations, so results are remembered per config version.
    """
    key = (config.version, scores)
    hit = _scored_cache.get(key)
    if hit is not None:
        return hit
    value = weighted_score(dict(zip(DIMENSION_CODES, scores, strict=True)), config)
    scaled = value * SCORE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError("weights need more than 4 decimals; raise SCORE_SCALE")
    result = Scored(
        weighted=int(scaled),
        level=int(level_of(value)),
        is_low=is_low_score(value, config),
        is_satisfied=is_satisfied(value, config),
    )
    _scored_cache[key] = result
    return result


def rollup_row(
    counter_id: str, day: date, scored: Iterable[tuple[tuple[int, ...], Scored]]
) -> dict[str, Any]:
    """One rollup increment from (stars, derived figures) pairs of the same counter and day."""
    row: dict[str, Any] = dict.fromkeys(SUM_COLUMNS, 0)
    row["counter_id"] = counter_id
    row["day"] = day
    for stars, s in scored:
        row["count"] += 1
        row["score_sum"] += s.weighted
        for code, value in zip(DIMENSION_CODES, stars, strict=True):
            row[f"{code}_sum"] += value
        row[f"level_{s.level}"] += 1
        row["low_count"] += s.is_low
        row["satisfied_count"] += s.is_satisfied
    return row


def aggregate_of(sums: tuple[int, ...]) -> Aggregate:
    values = dict(zip(SUM_COLUMNS, sums, strict=True))
    return Aggregate(
        count=values["count"],
        score_sum=Decimal(values["score_sum"]) / SCORE_SCALE,
        dimension_sums={code: values[f"{code}_sum"] for code in DIMENSION_CODES},
        level_counts={level: values[f"level_{int(level)}"] for level in Level},
        low_count=values["low_count"],
        satisfied_count=values["satisfied_count"],
    )


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def month_bounds(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _rounded(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _period_score(
    sums: dict[str, tuple[int, ...]], counter_id: str, config: ScoringConfig
) -> tuple[PeriodScore, Aggregate]:
    aggregates = {cid: aggregate_of(s) for cid, s in sums.items()}
    mine = aggregates.get(counter_id, Aggregate())
    rank: int | None = None
    ranked = rank_counters(aggregates, config)
    for entry in ranked:
        if entry.counter_id == counter_id:
            rank = entry.rank
    score = PeriodScore(
        count=mine.count,
        mean=_rounded(mine.mean),
        dimension_means={k: round(float(v), 4) for k, v in mine.dimension_means.items()},
        low_rate=_rounded(mine.low_rate),
        satisfaction_rate=_rounded(mine.satisfaction_rate),
        rank=rank,
        ranked_counters=len(ranked),
    )
    return score, mine


def period_score(
    session: Session,
    counter_id: str,
    hall_id: str,
    first: date,
    last: date,
    config: ScoringConfig,
) -> PeriodScore:
    sums = repository.period_sums(session, hall_id, first, last)
    return _period_score(sums, counter_id, config)[0]


def counter_scores(
    session: Session,
    counter_id: str,
    hall_id: str,
    timezone: str,
    now: datetime,
    config: ScoringConfig,
) -> CounterScores:
    """Today, the last 30 days (today included) and this month, in the hall's local days."""
    return counter_scores_and_month(session, counter_id, hall_id, timezone, now, config)[0]


def counter_scores_and_month(
    session: Session,
    counter_id: str,
    hall_id: str,
    timezone: str,
    now: datetime,
    config: ScoringConfig,
) -> tuple[CounterScores, date, Aggregate]:
    """`counter_scores`, and the first day and aggregate of its month (what the monthly
    low-rate rule needs), from one query."""
    today = local_day(now, ZoneInfo(timezone))
    month_first, month_last = month_bounds(today)
    periods = [
        (today, today),
        (today - timedelta(days=LAST_DAYS - 1), today),
        (month_first, month_last),
    ]
    sums = repository.periods_sums(session, hall_id, periods)
    (day, _), (last_days, _), (month, month_mine) = (
        _period_score(s, counter_id, config) for s in sums
    )
    scores = CounterScores(
        counter_id=counter_id,
        computed_at=now,
        today=day,
        last_30_days=last_days,
        month=month,
    )
    return scores, month_first, month_mine


@dataclass(frozen=True)
class HallPeriod:
    """A hall's figures over one period: the whole hall, each counter with ratings, and the
    counters' ranking (Bayesian mean, raw mean and count), as the kiosks get them."""

    total: Aggregate
    counters: dict[str, Aggregate]
    ranked: list[RankedCounter]


def hall_periods(
    session: Session, hall_id: str, periods: list[tuple[date, date]], config: ScoringConfig
) -> list[HallPeriod]:
    """`HallPeriod` for each (first, last) local-day period, from one query."""
    out = []
    for sums in repository.periods_sums(session, hall_id, periods):
        aggregates = {cid: aggregate_of(s) for cid, s in sums.items()}
        out.append(
            HallPeriod(
                total=sum(aggregates.values(), Aggregate()),
                counters=aggregates,
                ranked=rank_counters(aggregates, config),
            )
        )
    return out


def month_aggregate(session: Session, counter_id: str, day_in_month: date) -> Aggregate:
    first, last = month_bounds(day_in_month)
    return aggregate_of(repository.counter_sums(session, counter_id, first, last))
