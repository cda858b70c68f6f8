"""Per counter and day rollups: added to at ingest, summed for a period's scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import Counter, CounterDayRollup

#: The summed columns of a rollup, in a fixed order.
SUM_COLUMNS: tuple[str, ...] = (
    "count",
    "score_sum",
    "attitude_sum",
    "efficiency_sum",
    "process_sum",
    "environment_sum",
    "overall_sum",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "low_count",
    "satisfied_count",
)


def _rollup_upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CounterDayRollup.metadata.tables[CounterDayRollup.__tablename__]
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=["counter_id", "day"],
        set_={name: table.c[name] + stmt.excluded[name] for name in SUM_COLUMNS},
    )


#: Built once per dialect (Core, not ORM: the ORM's bulk path cost more than the database).
_ROLLUP_UPSERTS = {dialect: _rollup_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def add_to_rollups(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's sums to its (counter_id, day) rollup, creating it when missing.

    Rows are applied in key order so that concurrent batches lock rollups in one order.
    """
    if not rows:
        return
    stmt = _ROLLUP_UPSERTS[session.get_bind().dialect.name]
    session.connection().execute(stmt, sorted(rows, key=lambda r: (r["counter_id"], r["day"])))


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
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in session.execute(query)}


def _periods_statement(periods: int) -> Select[Any]:
    table = CounterDayRollup.__table__
    sums = [
        func.sum(
            case(
                (
                    table.c.day.between(bindparam(f"first_{p}"), bindparam(f"last_{p}")),
                    table.c[name],
                ),
                else_=0,
            )
        )
        for p in range(periods)
        for name in SUM_COLUMNS
    ]
    return (
        select(table.c.counter_id, *sums)
        .join(Counter, Counter.id == table.c.counter_id)
        .where(
            Counter.hall_id == bindparam("hall_id"),
            table.c.day >= bindparam("lowest"),
            table.c.day <= bindparam("highest"),
        )
        .group_by(table.c.counter_id)
    )


#: Built once: the statement's cache key is then computed once too.
_PERIODS_STATEMENTS: dict[int, Select[Any]] = {}


def periods_sums(
    session: Session, hall_id: str, periods: Sequence[tuple[date, date]]
) -> list[dict[str, tuple[int, ...]]]:
    """`period_sums` for several periods at once, in one query (one round trip)."""
    stmt = _PERIODS_STATEMENTS.get(len(periods))
    if stmt is None:
        stmt = _PERIODS_STATEMENTS[len(periods)] = _periods_statement(len(periods))
    params: dict[str, Any] = {
        "hall_id": hall_id,
        "lowest": min(first for first, _ in periods),
        "highest": max(last for _, last in periods),
    }
    for p, (first, last) in enumerate(periods):
        params[f"first_{p}"] = first
        params[f"last_{p}"] = last
    width = len(SUM_COLUMNS)
    out: list[dict[str, tuple[int, ...]]] = [{} for _ in periods]
    for row in session.execute(stmt, params):
        for p in range(len(periods)):
            values = tuple(int(v or 0) for v in row[1 + p * width : 1 + (p + 1) * width])
            if values[0]:  # a counter with no ratings in this period is not in it
                out[p][row[0]] = values
    return out


def counter_sums(session: Session, counter_id: str, first: date, last: date) -> tuple[int, ...]:
    table = CounterDayRollup.__table__
    query = select(*(func.coalesce(func.sum(table.c[name]), 0) for name in SUM_COLUMNS)).where(
        table.c.counter_id == counter_id, table.c.day >= first, table.c.day <= last
    )
    row = session.execute(query).one()
    return tuple(int(v) for v in row)
