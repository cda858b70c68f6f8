"""The Today page's figures for one hall, from the service functions the API and kiosks
use (server/scores, server/alerts, server/devices): nothing is computed its own way here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.alerts import repository as alerts
from server.devices.service import pending_age_s
from server.halls import repository as halls
from server.models import AlertState, Counter, Device, Hall
from server.scores.service import LAST_DAYS, hall_periods, local_day
from sync.scoring import Level, ScoringConfig

#: A kiosk not heard from for this long is shown as offline.
OFFLINE_AFTER = timedelta(minutes=15)
#: A kiosk holding an undelivered rating older than this is shown.
OLD_UNSENT_AFTER = timedelta(hours=1)

STATE_ORDER = (
    AlertState.OPEN,
    AlertState.ACKNOWLEDGED,
    AlertState.CALLED_BACK,
    AlertState.RECTIFIED,
)


@dataclass(frozen=True)
class StateCount:
    state: str
    count: int
    nearest_due: datetime | None
    overdue: int


@dataclass(frozen=True)
class CounterLine:
    counter_id: str
    name: str
    #: Over the last 30 days, as the kiosk shows: rank by Bayesian mean, raw mean, count.
    rank: int | None
    shrunk_mean: Decimal | None
    mean: Decimal | None
    count: int
    today_count: int
    today_mean: Decimal | None


@dataclass(frozen=True)
class KioskLine:
    device_id: str
    counter_name: str
    last_contact_at: datetime | None
    offline: bool
    queue_depth: int
    pending_age_s: float | None


@dataclass(frozen=True)
class Today:
    hall: Hall
    now: datetime
    count: int
    satisfaction_rate: Decimal | None
    low_rate: Decimal | None
    low_count: int
    #: Today's ratings at each level, 1 (非常不满意) to 5 (非常满意).
    levels: list[int]
    states: list[StateCount]
    counters: list[CounterLine]
    ranked_counters: int
    kiosks: list[KioskLine]

    @property
    def open_alerts(self) -> int:
        return sum(s.count for s in self.states)

    @property
    def overdue_alerts(self) -> int:
        return sum(s.overdue for s in self.states)


def today(session: Session, hall: Hall, now: datetime, config: ScoringConfig) -> Today:
    day = local_day(now, ZoneInfo(hall.timezone))
    this_day, last_days = hall_periods(
        session, hall.id, [(day, day), (day - timedelta(days=LAST_DAYS - 1), day)], config
    )
    ranks = {r.counter_id: r for r in last_days.ranked}
    lines = []
    for counter in halls.list_counters(session, hall.id):
        ranked = ranks.get(counter.id)
        todays = this_day.counters.get(counter.id)
        lines.append(
            CounterLine(
                counter_id=counter.id,
                name=counter.name,
                rank=ranked.rank if ranked else None,
                shrunk_mean=ranked.shrunk_mean if ranked else None,
                mean=ranked.mean if ranked else None,
                count=ranked.count if ranked else 0,
                today_count=todays.count if todays else 0,
                today_mean=todays.mean if todays else None,
            )
        )
    lines.sort(key=lambda line: (line.rank is None, line.rank or 0, line.counter_id))
    found = {
        state: StateCount(state, count, due, overdue)
        for state, count, due, overdue in alerts.open_by_state(session, hall.id, now)
    }
    states = [found.get(s.value, StateCount(s.value, 0, None, 0)) for s in STATE_ORDER]
    total = this_day.total
    return Today(
        hall=hall,
        now=now,
        count=total.count,
        satisfaction_rate=total.satisfaction_rate,
        low_rate=total.low_rate,
        low_count=total.low_count,
        levels=[total.level_distribution[level] for level in Level],
        states=states,
        counters=lines,
        ranked_counters=len(last_days.ranked),
        kiosks=kiosks_needing_attention(session, hall.id, now),
    )


def kiosks_needing_attention(session: Session, hall_id: str, now: datetime) -> list[KioskLine]:
    """The hall's active kiosks that are offline or hold old undelivered ratings."""
    rows = session.execute(
        select(Device, Counter.name)
        .join(Counter, Counter.id == Device.counter_id)
        .where(Counter.hall_id == hall_id, Device.active.is_(True))
        .order_by(Counter.id)
    )
    out = []
    for device, counter_name in rows:
        offline = device.last_contact_at is None or now - device.last_contact_at > OFFLINE_AFTER
        waiting = pending_age_s(device, now)
        old = waiting is not None and waiting > OLD_UNSENT_AFTER.total_seconds()
        if offline or old:
            out.append(
                KioskLine(
                    device_id=device.id,
                    counter_name=counter_name,
                    last_contact_at=device.last_contact_at,
                    offline=offline,
                    queue_depth=device.queue_depth,
                    pending_age_s=waiting,
                )
            )
    return out
