"""The random audit (随机抽查): a reproducible 10% of each hall's ratings of a month.

The draw depends only on the seed, the hall and the month's ratings (their ids, sorted),
so anyone holding the seed redraws the same sample: the seed is printed and recorded in
the audit log with the draw.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Counter, Hall, Rating

#: The share of a hall's ratings the scheme has a third party look at.
SHARE = 0.10


@dataclass(frozen=True)
class HallSample:
    hall_id: str
    ratings: int
    drawn: tuple[str, ...]


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the hall's time zone."""
    start = datetime.combine(month.replace(day=1), time(), zone)
    following = (month.replace(day=28) + (date(2000, 1, 31) - date(2000, 1, 27))).replace(day=1)
    return start, datetime.combine(following, time(), zone)


def draw(session: Session, month: date, seed: int, hall_id: str | None = None) -> list[HallSample]:
    """Each hall's sample (or `hall_id`'s): ceil(10%) of the ratings that happened in the
    month, local time, drawn with a generator seeded by the seed and the hall."""
    halls = session.scalars(
        select(Hall).where(Hall.id == hall_id) if hall_id else select(Hall).order_by(Hall.id)
    ).all()
    out = []
    for hall in halls:
        start, end = month_bounds(month, ZoneInfo(hall.timezone))
        ids = list(
            session.scalars(
                select(Rating.id)
                .join(Counter, Counter.id == Rating.counter_id)
                .where(Counter.hall_id == hall.id)
                .where(Rating.occurred_at >= start, Rating.occurred_at < end)
                .order_by(Rating.id)
            )
        )
        size = math.ceil(len(ids) * SHARE)
        rng = random.Random(f"{seed}:{hall.id}:{month:%Y-%m}")
        out.append(HallSample(hall.id, len(ids), tuple(sorted(rng.sample(ids, size)))))
    return out
