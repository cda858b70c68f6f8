"""The surge rule: a counter whose recent ratings are mostly low raises a counter alert at
once, at most one per window, and the hall manager hears of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.alerts import profiles
from server.ingest import service as ingest
from server.models import Alert, NotificationOutbox
from server.notify import service as channels
from server.settings import Settings
from sync.protocol import SyncRequest
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import ALL_ONES, envelope, rating

NOW = datetime(2025, 11, 14, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Friday


def _send(
    factory: sessionmaker[Session],
    settings: Settings,
    hall: Hall,
    lows: int,
    goods: int,
    now: datetime,
    seq: int,
    ago: timedelta = timedelta(minutes=1),
) -> int:
    ratings = [
        rating(seq=seq + i, scores=ALL_ONES, created_at=(now - ago).isoformat())
        for i in range(lows)
    ] + [rating(seq=seq + lows + i, created_at=(now - ago).isoformat()) for i in range(goods)]
    with factory.begin() as session:
        ingest.ingest(
            session,
            hall.device_id,
            SyncRequest.model_validate(envelope(ratings, device_time=now)),
            settings,
            now,
        )
    return seq + lows + goods


def _surges(factory: sessionmaker[Session]) -> list[Alert]:
    with factory() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == "counter_surge")))


def _quiet_monthly_rule(factory: sessionmaker[Session], settings: Settings, hall: Hall) -> int:
    # Forty good ratings earlier in the month keep the monthly low-rate rule out of this.
    return _send(factory, settings, hall, 0, 40, NOW, 1, ago=timedelta(days=2))


def test_half_low_scores_in_fifteen_minutes_raise_one_surge_alert_for_the_manager(
    factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    with factory.begin() as session:
        manager = channels.add_channel(
            session,
            url="json://127.0.0.1:9/manager",
            role="manager",
            hall_id="h1",
            label="",
            quiet=None,
            digest=False,
            now=NOW,
        )
    seq = _quiet_monthly_rule(factory, settings, hall)
    seq = _send(factory, settings, hall, 1, 2, NOW, seq)  # 1 low of 3: too few ratings
    assert _surges(factory) == []
    seq = _send(factory, settings, hall, 1, 0, NOW + timedelta(minutes=2), seq)  # 2 of 4
    [surge] = _surges(factory)
    assert surge.created_at == NOW + timedelta(minutes=2)
    assert surge.rating_id is None
    # More low scores in the same window raise no second alert.
    _send(factory, settings, hall, 3, 0, NOW + timedelta(minutes=5), seq)
    assert len(_surges(factory)) == 1
    with factory() as session:
        told = session.scalars(
            select(NotificationOutbox.alert_id).where(NotificationOutbox.channel_id == manager.id)
        ).all()
    assert told == [surge.id]


def test_a_share_under_the_threshold_or_an_old_window_raises_nothing(
    factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    seq = _quiet_monthly_rule(factory, settings, hall)
    seq = _send(factory, settings, hall, 2, 3, NOW, seq)  # 2 of 5 is under half
    assert _surges(factory) == []
    # A late batch from an offline hall: half low, but a week ago; no queue to step into.
    _send(factory, settings, hall, 3, 1, NOW, seq, ago=timedelta(days=7))
    assert _surges(factory) == []


def test_the_rule_is_configured_per_hall(
    factory: sessionmaker[Session], settings: Settings, hall: Hall
) -> None:
    with factory.begin() as session:
        profile = profiles.profile_for(session, "h1", settings.default_scoring)
        document = profile.model_dump(mode="json")
        document["surge"] = {
            "enabled": True,
            "window_minutes": 30,
            "min_ratings": 2,
            "low_share": "0.5",
        }
        profiles.store_profile(session, "h1", document, NOW)
    seq = _quiet_monthly_rule(factory, settings, hall)
    _send(factory, settings, hall, 1, 1, NOW, seq)
    assert len(_surges(factory)) == 1
