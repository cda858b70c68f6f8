"""Per counter and day rollups: added to at ingest, summed for a period's scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import Counter, CounterDayRollup

#: The summed columns of a rollup, in a fixed order.
SUM_COLUMNS: tuple[str, ...] = (
    "count", "score_sum", "attitude_sum", "efficiency_sum", "process_sum", "environment_sum",
    "overall_sum", "level_1", "level_2", "level_3", "level_4", "level_5", "low_count",
    "satisfied_count",
)


def add_to_rollups(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's sums to its (counter_id, day) rollup, creating it when missing.

    Rows are applied in key order so that concurrent batches lock rollups in one order.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(CounterDayRollup)
    table = CounterDayRollup.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=["counter_id", "day"],
        set_={name: table.c[name] + stmt.excluded[name] for name in SUM_COLUMNS},
    )
    for row in sorted(rows, key=lambda r: (r["counter_id"], r["day"])):
        session.execute(stmt, row)


def period_sums(
    session: Session, hall_id: str, first: date, last: date
) -> dict[str, tuple[int, ...]]:
    """For each counter of the hall with ratings from `first` to `last` (local days), the
    sums of SUM_COLUMNS over those days."""
    table = CounterDayRollup.__table__
    query = (
        select(table.c.counter_id, *(func.sum(table.c[name]) for name in SUM_COLUMNS))
        .join(Counter, Counter.id == table.c.counter_id)
        .where(Counter.hall_id == hall_id, table.c.day >= first, table.c.day <= last)
        .group_by(table.c.counter_id)
    )
    return {
        row[0]: tuple(int(v or 0) for v in row[1:]) for row in session.execute(query)
    }


def counter_sums(
    session: Session, counter_id: str, first: date, last: date
) -> tuple[int, ...]:
    table = CounterDayRollup.__table__
    query = select(*(func.coalesce(func.sum(table.c[name]), 0) for name in SUM_COLUMNS)).where(
        table.c.counter_id == counter_id, table.c.day >= first, table.c.day <= last
    )
    row = session.execute(query).one()
    return tuple(int(v) for v in row)
