"""Queueing notifications: rows written in the caller's transaction, never a network call.

Each row is one message to one channel, keyed "<alert>:<event>[:<detail>]:<channel>" so
that the same event is queued once however often (and by however many workers) it is
noticed. Messages name the hall, counter, alert and deadline, never a citizen's comment or
phone number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import (
    Alert,
    Counter,
    Hall,
    NotificationChannel,
    NotificationOutbox,
    OutboxState,
    Role,
)

#: Events and what a message calls them.
EVENTS: dict[str, tuple[str, str]] = {
    "raised": ("新预警", "New alert"),
    "nears_deadline": ("即将超时", "Deadline near"),
    "overdue": ("已超时", "Overdue"),
    "escalated": ("已升级", "Escalated"),
}
_KINDS = {
    "low_score": ("差评", "low score"),
    "counter_low_rate": ("窗口差评率超限", "counter low-score rate"),
    "counter_surge": ("窗口差评激增", "counter surge of low scores"),
}
#: Who hears of each escalation level.
LEVEL_ROLES: dict[int, tuple[str, ...]] = {
    0: (Role.SUPERVISOR.value,),
    1: (Role.MANAGER.value,),
    2: (Role.INSPECTOR.value,),
}


def channels_for(session: Session, hall_id: str, roles: Iterable[str]) -> list[NotificationChannel]:
    """Active channels of these roles for the hall, and those for every hall."""
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(
                NotificationChannel.active.is_(True),
                NotificationChannel.role.in_(list(roles)),
                or_(NotificationChannel.hall_id == hall_id, NotificationChannel.hall_id.is_(None)),
            )
            .order_by(NotificationChannel.id)
        )
    )


def compose(
    alert: Alert, hall: Hall, counter_name: str, event: str, *, level_role: str | None = None
) -> tuple[str, str]:
    """Title and body of a message about `alert`, in Chinese then English."""
    zone = ZoneInfo(hall.timezone)
    event_zh, event_en = EVENTS[event]
    kind_zh, kind_en = _KINDS.get(alert.kind, (alert.kind, alert.kind))
    due = alert.level_due_at if alert.escalation_level and alert.level_due_at else alert.due_at
    due_local = due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    title = f"【{event_zh}】{hall.name} {counter_name} 预警 #{alert.id}"
    lines = [
        f"{event_zh}：{kind_zh}，{hall.name} {counter_name}，预警 #{alert.id}",
        f"处理时限：{due_local}",
        f"{event_en}: {kind_en} at {counter_name} ({hall.name}), alert #{alert.id}",
        f"Due: {due_local} ({hall.timezone})",
    ]
    if alert.learn_delay_s >= 3600:
        hours = alert.learn_delay_s // 3600
        lines.append(f"评价 {hours} 小时后才送达服务器 / reached the server {hours} h late")
    if level_role is not None:
        lines.append(f"升级至 / escalated to: {level_role}")
    return title, "\n".join(lines)


def queue(
    session: Session,
    alerts: Sequence[Alert],
    event: str,
    now: datetime,
    *,
    roles: Iterable[str] | None = None,
    detail: str = "",
) -> int:
    """Queue `event` of each alert to the channels of `roles` (by default, the alert's
    current escalation level's role); how many rows were new."""
    if not alerts:
        return 0
    counters = {a.counter_id for a in alerts}
    places = {
        cid: (hall, name)
        for cid, name, hall in session.execute(
            select(Counter.id, Counter.name, Hall)
            .join(Hall, Hall.id == Counter.hall_id)
            .where(Counter.id.in_(counters))
        ).tuples()
    }
    rows: list[dict[str, Any]] = []
    # One query per hall and set of roles, not per alert (a batch may hold many low scores).
    found: dict[tuple[str, tuple[str, ...]], list[NotificationChannel]] = {}
    for alert in alerts:
        hall, counter_name = places[alert.counter_id]
        wanted = tuple(roles) if roles is not None else LEVEL_ROLES.get(alert.escalation_level, ())
        if (hall.id, wanted) not in found:
            found[hall.id, wanted] = channels_for(session, hall.id, wanted)
        targets = found[hall.id, wanted]
        if not targets:
            continue
        level_role = (
            LEVEL_ROLES.get(alert.escalation_level, ("",))[0] if event == "escalated" else None
        )
        title, body = compose(alert, hall, counter_name, event, level_role=level_role)
        suffix = f":{detail}" if detail else ""
        for channel in targets:
            rows.append(
                {
                    "dedup_key": f"{alert.id}:{event}{suffix}:{channel.id}",
                    "channel_id": channel.id,
                    "alert_id": alert.id,
                    "event": event,
                    "title": title,
                    "body": body,
                    "state": (OutboxState.HELD if channel.digest else OutboxState.PENDING).value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    return insert_ignoring_duplicates(session, rows)


def queue_raised(session: Session, hall_id: str, counter_id: str, now: datetime) -> int:
    """Queue "raised" for the alerts of `counter_id` created in this transaction (`now`).
    Surge alerts go to the hall manager as well: a queue needs someone to step in."""
    if not channels_for(session, hall_id, (Role.SUPERVISOR.value, Role.MANAGER.value)):
        return 0  # nobody to tell: no alert need be read back
    fresh = list(
        session.scalars(
            select(Alert).where(Alert.counter_id == counter_id, Alert.created_at == now)
        )
    )
    surges = [a for a in fresh if a.kind == "counter_surge"]
    others = [a for a in fresh if a.kind != "counter_surge"]
    count = queue(session, others, "raised", now)
    count += queue(
        session, surges, "raised", now, roles=(Role.SUPERVISOR.value, Role.MANAGER.value)
    )
    return count


def insert_ignoring_duplicates(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(NotificationOutbox).on_conflict_do_nothing(index_elements=["dedup_key"])
    result = session.connection().execute(statement, list(rows))
    return max(0, int(result.rowcount))
