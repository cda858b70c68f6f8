"""Month queries. They sum in the database (per counter and staff member) so that a month
of millions of ratings comes back as a few thousand rows; repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from server.models import (
    SCORE_SCALE,
    Alert,
    AlertKind,
    Counter,
    Hall,
    MonthClose,
    Rating,
    ServiceSession,
    Staff,
)
from sync.scoring import DIMENSION_CODES, Level, ScoringConfig


@dataclass(frozen=True)
class RatingSums:
    """Sums of one counter's ratings by one staff member (staff_id None: nobody named)."""

    counter_id: str
    staff_id: str | None
    count: int
    score_sum: int  # x SCORE_SCALE
    dimension_sums: dict[str, int]
    level_counts: dict[Level, int]
    low_count: int
    satisfied_count: int
    with_session: int


@dataclass(frozen=True)
class SessionSums:
    counter_id: str
    staff_id: str | None
    matter: str | None
    services: int
    finished: int
    seconds: int
    one_visit_known: int
    one_visit_yes: int


@dataclass(frozen=True)
class LowScoreRow:
    rating_id: str
    counter_id: str
    staff_id: str | None
    occurred_at: datetime
    received_at: datetime
    weighted: int
    dimensions: dict[str, int]
    alert_id: int | None
    alert_state: str | None
    alert_closed_at: datetime | None
    alert_stage_due: dict[str, Any] | None
    alert_due_at: datetime | None
    cause: str | None


@dataclass(frozen=True)
class LateRating:
    rating_id: str
    counter_id: str
    staff_id: str | None
    occurred_at: datetime
    received_at: datetime
    weighted: int


def hall(session: Session, hall_id: str) -> Hall | None:
    return session.get(Hall, hall_id)


def halls(session: Session) -> list[Hall]:
    return list(session.scalars(select(Hall).order_by(Hall.id)))


def counters(session: Session, hall_id: str) -> list[Counter]:
    return list(
        session.scalars(select(Counter).where(Counter.hall_id == hall_id).order_by(Counter.id))
    )


def staff(session: Session, hall_id: str) -> list[Staff]:
    return list(session.scalars(select(Staff).where(Staff.hall_id == hall_id).order_by(Staff.id)))


def _in_month(
    counter_ids: Sequence[str], start: datetime, end: datetime, as_of: datetime
) -> ColumnElement[bool]:
    return and_(
        Rating.counter_id.in_(counter_ids),
        Rating.occurred_at >= start,
        Rating.occurred_at < end,
        Rating.received_at <= as_of,
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def rating_sums(
    session: Session,
    counter_ids: Sequence[str],
    start: datetime,
    end: datetime,
    as_of: datetime,
    config: ScoringConfig,
) -> list[RatingSums]:
    """Ratings made in [start, end) and received by `as_of`, summed per counter and staff."""
    if not counter_ids:
        return []
    low_below = int(config.low_score_below * SCORE_SCALE)
    satisfied_from = int(config.satisfied_from * SCORE_SCALE)
    dims = [func.sum(getattr(Rating, code)) for code in DIMENSION_CODES]
    levels = [_count_if(Rating.level == int(level)) for level in Level]
    query = (
        select(
            Rating.counter_id,
            Rating.staff_id,
            func.count(),
            func.sum(Rating.weighted_score),
            *dims,
            *levels,
            _count_if(Rating.weighted_score < low_below),
            _count_if(Rating.weighted_score >= satisfied_from),
            _count_if(Rating.session_id.is_not(None)),
        )
        .where(_in_month(counter_ids, start, end, as_of))
        .group_by(Rating.counter_id, Rating.staff_id)
    )
    out: list[RatingSums] = []
    n = len(DIMENSION_CODES)
    for row in session.execute(query):
        values = list(row)
        dim_values = values[4 : 4 + n]
        level_values = values[4 + n : 4 + n + len(Level)]
        low, satisfied, with_session = values[4 + n + len(Level) :]
        out.append(
            RatingSums(
                counter_id=values[0],
                staff_id=values[1],
                count=int(values[2]),
                score_sum=int(values[3]),
                dimension_sums={
                    c: int(v) for c, v in zip(DIMENSION_CODES, dim_values, strict=True)
                },
                level_counts={lv: int(v) for lv, v in zip(Level, level_values, strict=True)},
                low_count=int(low),
                satisfied_count=int(satisfied),
                with_session=int(with_session),
            )
        )
    return out


def low_scores(
    session: Session,
    counter_ids: Sequence[str],
    start: datetime,
    end: datetime,
    as_of: datetime,
    config: ScoringConfig,
) -> list[LowScoreRow]:
    """Each low score of the month with its alert (if any), oldest first."""
    if not counter_ids:
        return []
    low_below = int(config.low_score_below * SCORE_SCALE)
    query = (
        select(
            Rating.id,
            Rating.counter_id,
            Rating.staff_id,
            Rating.occurred_at,
            Rating.received_at,
            Rating.weighted_score,
            *(getattr(Rating, code) for code in DIMENSION_CODES),
            Alert.id,
            Alert.state,
            Alert.closed_at,
            Alert.stage_due,
            Alert.due_at,
            Alert.cause,
        )
        .outerjoin(
            Alert,
            and_(Alert.rating_id == Rating.id, Alert.kind == AlertKind.LOW_SCORE.value),
        )
        .where(_in_month(counter_ids, start, end, as_of), Rating.weighted_score < low_below)
        .order_by(Rating.occurred_at, Rating.id)
    )
    n = len(DIMENSION_CODES)
    out: list[LowScoreRow] = []
    for row in session.execute(query):
        values = list(row)
        alert = values[6 + n :]
        out.append(
            LowScoreRow(
                rating_id=values[0],
                counter_id=values[1],
                staff_id=values[2],
                occurred_at=values[3],
                received_at=values[4],
                weighted=int(values[5]),
                dimensions=dict(
                    zip(DIMENSION_CODES, (int(v) for v in values[6 : 6 + n]), strict=True)
                ),
                alert_id=alert[0],
                alert_state=alert[1],
                alert_closed_at=alert[2],
                alert_stage_due=alert[3],
                alert_due_at=alert[4],
                cause=alert[5],
            )
        )
    return out


def _seconds(session: Session) -> ColumnElement[Any]:
    """Handling seconds of a session, rounded to whole seconds, on either database."""
    if session.get_bind().dialect.name == "sqlite":
        span = (
            func.julianday(ServiceSession.ended_at) - func.julianday(ServiceSession.started_at)
        ) * 86400
        return cast(func.round(span), Integer)
    return cast(
        func.round(func.extract("epoch", ServiceSession.ended_at - ServiceSession.started_at)),
        Integer,
    )


def session_sums(
    session: Session, counter_ids: Sequence[str], start: datetime, end: datetime, as_of: datetime
) -> list[SessionSums]:
    """Services started in [start, end), received by `as_of`, per counter and staff member.

    Handling time counts finished services only (an end at or after the start); groups are
    per matter too, each held to its own standard (see handling.py). Cancelled services
    are left out.
    """
    if not counter_ids:
        return []
    finished = and_(
        ServiceSession.ended_at.is_not(None), ServiceSession.ended_at >= ServiceSession.started_at
    )
    # A cancelled service (the citizen left, a wrong ticket) was no service: not counted.
    served = or_(ServiceSession.outcome.is_(None), ServiceSession.outcome != "cancelled")
    seconds = _seconds(session)
    query = (
        select(
            ServiceSession.counter_id,
            ServiceSession.staff_id,
            func.count(),
            _count_if(finished),
            func.coalesce(func.sum(case((finished, seconds), else_=0)), 0),
            _count_if(ServiceSession.finished_in_one_visit.is_not(None)),
            _count_if(ServiceSession.finished_in_one_visit.is_(True)),
            ServiceSession.matter_code,
        )
        .where(
            served,
            ServiceSession.counter_id.in_(counter_ids),
            ServiceSession.started_at >= start,
            ServiceSession.started_at < end,
            ServiceSession.received_at <= as_of,
        )
        .group_by(ServiceSession.counter_id, ServiceSession.staff_id, ServiceSession.matter_code)
    )
    return [
        SessionSums(
            counter_id=row[0],
            staff_id=row[1],
            matter=row[7],
            services=int(row[2]),
            finished=int(row[3]),
            seconds=int(row[4]),
            one_visit_known=int(row[5]),
            one_visit_yes=int(row[6]),
        )
        for row in session.execute(query)
    ]


def late_ratings(
    session: Session,
    counter_ids: Sequence[str],
    made_before: datetime,
    closes: Sequence[tuple[datetime, datetime, datetime]],
    received_from: datetime,
    received_to: datetime,
) -> list[LateRating]:
    """Ratings received in [received_from, received_to) for a month already closed when they
    arrived: `closes` holds (month start, month end, closed at) of the closed months."""
    if not counter_ids or not closes:
        return []
    late = [
        and_(Rating.occurred_at >= start, Rating.occurred_at < end, Rating.received_at > closed)
        for start, end, closed in closes
    ]
    query = (
        select(
            Rating.id,
            Rating.counter_id,
            Rating.staff_id,
            Rating.occurred_at,
            Rating.received_at,
            Rating.weighted_score,
        )
        .where(
            Rating.counter_id.in_(counter_ids),
            Rating.occurred_at < made_before,
            Rating.received_at >= received_from,
            Rating.received_at < received_to,
            or_(*late),
        )
        .order_by(Rating.received_at, Rating.id)
    )
    return [LateRating(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in session.execute(query)]


def closed_months(session: Session, hall_id: str) -> list[MonthClose]:
    return list(
        session.scalars(
            select(MonthClose).where(MonthClose.hall_id == hall_id).order_by(MonthClose.month)
        )
    )


def close_times(session: Session, hall_id: str) -> list[tuple[str, datetime]]:
    """(month, closed at) of a hall's closed months, without their figures."""
    rows = session.execute(
        select(MonthClose.month, MonthClose.closed_at).where(MonthClose.hall_id == hall_id)
    )
    return [(month, closed_at) for month, closed_at in rows]


def month_close(session: Session, hall_id: str, month: str) -> MonthClose | None:
    return session.scalars(
        select(MonthClose).where(MonthClose.hall_id == hall_id, MonthClose.month == month)
    ).one_or_none()
