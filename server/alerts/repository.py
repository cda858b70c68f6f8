"""Alert queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, load_only

from server.models import Alert, AlertEvent, AlertState, Counter
from sync.protocol import AlertKind

#: The alert kinds every kiosk understands, sent back with sync answers.
KIOSK_ALERT_KINDS = (AlertKind.LOW_SCORE, AlertKind.COUNTER_LOW_RATE)


def insert_ignoring_existing(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert alerts; one that already exists for its counter, kind and period is kept."""
    if not rows:
        return
    session.connection().execute(_INSERTS[session.get_bind().dialect.name], list(rows))


#: Core statements built once per dialect: the ORM's bulk insert path cost more per batch
#: than the database did.
_INSERTS = {
    dialect: insert(Alert.metadata.tables[Alert.__tablename__]).on_conflict_do_nothing(
        index_elements=["counter_id", "kind", "period"]
    )
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def open_for_counter(session: Session, counter_id: str, limit: int) -> list[Alert]:
    """The counter's open alerts a sync answer carries (only the columns it sends)."""
    return list(
        session.scalars(
            select(Alert)
            .options(
                load_only(
                    Alert.id,
                    Alert.kind,
                    Alert.counter_id,
                    Alert.rating_id,
                    Alert.state,
                    Alert.created_at,
                    Alert.due_at,
                    Alert.escalated,
                )
            )
            .where(
                Alert.counter_id == counter_id,
                Alert.state != AlertState.CLOSED.value,
                # Kinds newer than protocol 1's first release stay off kiosks (an older
                # kiosk would refuse the whole answer).
                Alert.kind.in_([k.value for k in KIOSK_ALERT_KINDS]),
            )
            .order_by(Alert.due_at, Alert.id)
            .limit(limit)
        )
    )


def get(session: Session, alert_id: int, *, for_update: bool = False) -> Alert | None:
    query = select(Alert).where(Alert.id == alert_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def hall_of(session: Session, alert: Alert) -> str:
    return session.scalars(select(Counter.hall_id).where(Counter.id == alert.counter_id)).one()


def search(
    session: Session,
    *,
    hall_id: str | None,
    counter_id: str | None,
    state: str | None,
    kind: str | None,
    escalated: bool | None,
    limit: int,
    offset: int,
) -> list[tuple[Alert, str]]:
    query = select(Alert, Counter.hall_id).join(Counter, Counter.id == Alert.counter_id)
    if hall_id is not None:
        query = query.where(Counter.hall_id == hall_id)
    if counter_id is not None:
        query = query.where(Alert.counter_id == counter_id)
    if state is not None:
        query = query.where(Alert.state == state)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    if escalated is not None:
        query = query.where(Alert.escalated.is_(escalated))
    query = query.order_by(Alert.due_at, Alert.id).limit(limit).offset(offset)
    return [(row[0], row[1]) for row in session.execute(query)]


def events_of(session: Session, alert_id: int) -> list[AlertEvent]:
    return list(
        session.scalars(
            select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
        )
    )


def open_by_state(
    session: Session, hall_id: str, now: datetime
) -> list[tuple[str, int, datetime, int]]:
    """For each state of the hall's alerts not closed: how many, the nearest due time, and
    how many are past it."""
    query = (
        select(
            Alert.state,
            func.count(),
            func.min(Alert.due_at),
            func.sum(case((Alert.due_at < now, 1), else_=0)),
        )
        .join(Counter, Counter.id == Alert.counter_id)
        .where(
            Counter.hall_id == hall_id,
            # IN rather than != closed: the (state, due_at) index then skips the closed.
            Alert.state.in_([s.value for s in AlertState if s is not AlertState.CLOSED]),
        )
        .group_by(Alert.state)
    )
    return [(row[0], int(row[1]), row[2], int(row[3] or 0)) for row in session.execute(query)]
