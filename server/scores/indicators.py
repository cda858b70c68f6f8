"""The national 好差评 indicators (GB/T 39734-2020, GB/T 39735-2020), defined here once.

Every page that shows one (the landing page, the rankings, a counter's or staff member's
page, the public disclosure page) and every export takes it from `INDICATORS` and
`indicators_of`; the formula a page shows on hover is the `formula_*` text below, so what
is shown and what is computed cannot drift apart.

Words, as the scheme uses them and as this system records them:
- a *good* rating (好评) is one at level 3–5 (基本满意 and above), i.e. not a low score
  (差评, weighted score below 3.0, `sync.scoring.is_low_score`);
- a *service* (办件) is a recorded service session; an *unrated* service is one whose
  citizen left no rating (it counts as a default good rating, 默认好评, in 好评率 only);
- a low score is *replied to* (差评回复) once the citizen has been called back or given a
  public reply on the receipt page; it is *rectified* (回访整改) once its alert reached the
  rectified stage; the citizen's own word on the handling gives 回访整改满意率.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from server.models import (
    Alert,
    AlertKind,
    Counter,
    CounterDayRollup,
    Hall,
    Rating,
    ServiceSession,
    SessionRating,
)
from server.scores.periods import Period


@dataclass(frozen=True)
class Indicator:
    """One indicator: its code, names and formula in both languages."""

    code: str
    name_zh: str
    name_en: str
    formula_zh: str
    formula_en: str


GOOD_RATE = Indicator(
    "good_rate",
    "好评率",
    "Good-rating rate",
    "好评率 =（主动好评数 + 未评办件数）÷（评价数 + 未评办件数）；未评办件视为默认好评",
    "(good ratings + unrated services) ÷ (ratings + unrated services); "
    "an unrated service counts as a default good rating",
)
ACTIVE_GOOD_RATE = Indicator(
    "active_good_rate",
    "主动评价好评率",
    "Active good-rating rate",
    "主动评价好评率 = 主动好评数 ÷ 主动评价数；好评 = 基本满意及以上（加权分 ≥ 3.0）",
    "good ratings ÷ ratings citizens made; good = level 3 or above (weighted score ≥ 3.0)",
)
UNRATED_RATE = Indicator(
    "unrated_rate",
    "未评率",
    "Unrated rate",
    "未评率 = 未评价的办件数 ÷ 办件数",
    "services the citizen did not rate ÷ services",
)
LOW_REPLY_RATE = Indicator(
    "low_reply_rate",
    "差评回复率",
    "Low-score reply rate",
    "差评回复率 = 已回访或已公开答复的差评数 ÷ 差评数",
    "low scores called back or publicly answered ÷ low scores",
)
RECTIFY_RATE = Indicator(
    "rectify_rate",
    "回访整改率",
    "Rectification rate",
    "回访整改率 = 已整改的差评数 ÷ 差评数",
    "low scores whose cause was rectified ÷ low scores",
)
RECTIFY_SATISFIED_RATE = Indicator(
    "rectify_satisfied_rate",
    "回访整改满意率",
    "Rectification satisfaction rate",
    "回访整改满意率 = 群众表示满意的整改数 ÷ 群众作出表态的整改数",
    "handlings the citizen said they were satisfied with ÷ handlings the citizen judged",
)

#: In the order every page shows them.
INDICATORS: tuple[Indicator, ...] = (
    GOOD_RATE,
    ACTIVE_GOOD_RATE,
    UNRATED_RATE,
    LOW_REPLY_RATE,
    RECTIFY_RATE,
    RECTIFY_SATISFIED_RATE,
)


@dataclass(frozen=True)
class IndicatorCounts:
    """The counts the indicators are ratios of."""

    ratings: int = 0
    good: int = 0
    services: int = 0
    unrated: int = 0
    low: int = 0
    replied: int = 0
    rectified: int = 0
    judged: int = 0
    judged_satisfied: int = 0

    def __add__(self, other: IndicatorCounts) -> IndicatorCounts:
        return IndicatorCounts(
            *(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True))
        )

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.ratings,
            self.good,
            self.services,
            self.unrated,
            self.low,
            self.replied,
            self.rectified,
            self.judged,
            self.judged_satisfied,
        )


@dataclass(frozen=True)
class Value:
    """One indicator's value with the numerator and denominator it is the ratio of."""

    indicator: Indicator
    numerator: int
    denominator: int

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.numerator) / self.denominator if self.denominator else None


def indicators_of(counts: IndicatorCounts) -> list[Value]:
    """The six indicators of `counts`, in `INDICATORS` order."""
    return [
        Value(GOOD_RATE, counts.good + counts.unrated, counts.ratings + counts.unrated),
        Value(ACTIVE_GOOD_RATE, counts.good, counts.ratings),
        Value(UNRATED_RATE, counts.unrated, counts.services),
        Value(LOW_REPLY_RATE, counts.replied, counts.low),
        Value(RECTIFY_RATE, counts.rectified, counts.low),
        Value(RECTIFY_SATISFIED_RATE, counts.judged_satisfied, counts.judged),
    ]


@dataclass(frozen=True)
class Scope:
    """Whose indicators: the counters of some halls, one counter, or one staff member,
    over [start, end) in UTC. `more` adds further (hall ids, start, end) windows: halls in
    other time zones whose local days begin at other instants."""

    start: datetime
    end: datetime
    hall_ids: tuple[str, ...] = ()
    counter_id: str | None = None
    staff_id: str | None = None
    more: tuple[tuple[tuple[str, ...], datetime, datetime], ...] = ()


def _windows(scope: Scope, at: Any, counter: Any) -> ColumnElement[bool]:
    """`at` within the scope's window(s), `counter` among the scope's counters."""
    parts = []
    for hall_ids, start, end in ((scope.hall_ids, scope.start, scope.end), *scope.more):
        part = and_(at >= start, at < end)
        if scope.counter_id is None and hall_ids:
            part = and_(part, counter.in_(select(Counter.id).where(Counter.hall_id.in_(hall_ids))))
        parts.append(part)
    return or_(*parts) if len(parts) > 1 else parts[0]


def _alert_counters(scope: Scope) -> ColumnElement[bool]:
    """The scope's counters on the alerts' own indexed column, so that the database finds
    a counter's alerts by index rather than joining every alert to its rating."""
    if scope.counter_id is not None:
        return Alert.counter_id == scope.counter_id
    halls = {h for ids, _, _ in ((scope.hall_ids, None, None), *scope.more) for h in ids}
    if not halls:
        return true()
    return Alert.counter_id.in_(select(Counter.id).where(Counter.hall_id.in_(sorted(halls))))


def _rating_filter(scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [_windows(scope, Rating.occurred_at, Rating.counter_id)]
    if scope.counter_id is not None:
        where.append(Rating.counter_id == scope.counter_id)
    if scope.staff_id is not None:
        where.append(Rating.staff_id == scope.staff_id)
    return where


def counts_for(
    session: Session, scope: Scope, rated: tuple[int, int] | None = None
) -> IndicatorCounts:
    """The indicator counts of `scope` from raw ratings, sessions and alerts; `rated`,
    when the caller has them already (from the day rollups), are (ratings, good)."""
    where = _rating_filter(scope)
    if rated is None:
        row = session.execute(
            select(
                func.count(), func.coalesce(func.sum(case((Rating.is_low, 0), else_=1)), 0)
            ).where(*where)
        ).one()
        rated = (int(row[0]), int(row[1]))
    ratings, good = rated
    session_where: list[ColumnElement[bool]] = [
        _windows(scope, ServiceSession.started_at, ServiceSession.counter_id)
    ]
    if scope.counter_id is not None:
        session_where.append(ServiceSession.counter_id == scope.counter_id)
    if scope.staff_id is not None:
        session_where.append(ServiceSession.staff_id == scope.staff_id)
    has_rating = exists().where(SessionRating.session_id == ServiceSession.id)
    services, unrated = session.execute(
        select(func.count(), func.coalesce(func.sum(case((has_rating, 0), else_=1)), 0)).where(
            *session_where
        )
    ).one()
    reached = or_(Alert.called_back_at.is_not(None), Alert.public_reply_at.is_not(None))
    low, replied, rectified, judged, judged_satisfied = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((reached, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Alert.rectified_at.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Alert.citizen_satisfied.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Alert.citizen_satisfied.is_(True), 1), else_=0)), 0),
        )
        .join(Rating, Rating.id == Alert.rating_id)
        .where(and_(Alert.kind == AlertKind.LOW_SCORE.value, _alert_counters(scope), *where))
    ).one()
    return IndicatorCounts(
        ratings=int(ratings),
        good=int(good),
        services=int(services),
        unrated=int(unrated),
        low=int(low),
        replied=int(replied),
        rectified=int(rectified),
        judged=int(judged),
        judged_satisfied=int(judged_satisfied),
    )


def total(counts: Iterable[IndicatorCounts]) -> IndicatorCounts:
    return sum(counts, IndicatorCounts())


def hall_indicator_counts(
    session: Session, halls: Sequence[Hall], period: Period
) -> IndicatorCounts:
    """The indicator counts of the halls' counters over `period`, each hall in its own
    local days, in one set of queries."""
    by_zone: dict[str, list[str]] = {}
    for hall in halls:
        by_zone.setdefault(hall.timezone, []).append(hall.id)
    windows = [(tuple(ids), *period.utc_bounds(zone)) for zone, ids in by_zone.items()]
    if not windows:
        return IndicatorCounts()
    (ids, start, end), *more = windows
    # Ratings and good ratings from the day rollups (local days, as the period's): a
    # region's month is a million ratings, its rollups some thousands of rows.
    table = CounterDayRollup.__table__
    count, low = session.execute(
        select(
            func.coalesce(func.sum(table.c["count"]), 0),
            func.coalesce(func.sum(table.c["low_count"]), 0),
        )
        .join(Counter, Counter.id == table.c["counter_id"])
        .where(
            Counter.hall_id.in_([h.id for h in halls]),
            table.c["day"] >= period.first,
            table.c["day"] <= period.last,
        )
    ).one()
    return counts_for(
        session,
        Scope(start=start, end=end, hall_ids=ids, more=tuple(more)),
        rated=(int(count), int(count) - int(low)),
    )
