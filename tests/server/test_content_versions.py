"""Scoring settings as versioned content: a change is a new version, kiosks receive it on
their next sync, new ratings are scored and alerted by it, old ratings keep their version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.content import service as content
from server.models import SCORE_SCALE, ContentVersion, Rating
from server.settings import Settings
from sync.protocol import SyncResponse
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import envelope, rating

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def post(client: TestClient, hall: Hall, body: dict[str, object]) -> SyncResponse:
    response = client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert response.status_code == 200, response.text
    return SyncResponse.model_validate_json(response.text)


def change(factory: sessionmaker[Session], settings: Settings, **kwargs: object) -> str:
    with factory.begin() as session:
        _, after = content.change_content(session, settings, by="admin", now=NOW, **kwargs)  # type: ignore[arg-type]
    return after.version


def test_with_no_version_stored_the_built_in_defaults_are_in_force(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory() as session:
        assert content.scoring_in_force(session, settings) == settings.default_scoring
        assert len(content.reasons_in_force(session, settings)) == 10


def test_a_change_makes_a_new_version_and_keeps_the_old_one(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    first = change(factory, settings, alert_deadline_hours=12)
    second = change(factory, settings, low_score_below="2.5")
    assert first != second
    with factory() as session:
        in_force = content.scoring_in_force(session, settings)
        assert in_force.version == second
        assert in_force.alert_deadline_hours == 12  # kept from the version before
        assert str(in_force.low_score_below) == "2.5"
        old = content.content_of_version(session, first, settings)
        assert old is not None
        assert str(old.scoring.low_score_below) == "3"
        assert session.scalars(select(ContentVersion.version)).all() == [first, second]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"attitude": "0.5"}}, "a weight is needed"),
        (
            {
                "weights": {
                    "attitude": 1,
                    "efficiency": 0,
                    "process": 0,
                    "environment": 0,
                    "overall": 0,
                }
            },
            "must be positive",
        ),
        (
            {
                "weights": {
                    "attitude": "0.2",
                    "efficiency": "0.2",
                    "process": "0.2",
                    "environment": "0.2",
                    "overall": "0.3",
                }
            },
            "sum to 1",
        ),
        ({"weights": {"accessibility": "1"}}, "unknown dimension"),
        ({"low_score_below": "abc"}, "must be a number"),
        ({"low_score_below": "NaN"}, "finite"),
        ({"low_score_below": "6"}, "at most 5"),
        ({"alert_deadline_hours": "1.5"}, "whole number"),
        ({"alert_deadline_hours": 0}, "whole number"),
        (
            {"reasons": [{"code": "Bad Code", "dimension": "attitude", "zh": "x", "en": "x"}]},
            "reason code",
        ),
        (
            {"reasons": [{"code": "a", "dimension": "nope", "zh": "x", "en": "x"}]},
            "unknown dimension",
        ),
        (
            {"reasons": [{"code": "a", "dimension": "attitude", "zh": "", "en": "x"}]},
            "1–40 characters",
        ),
        ({"alert_deadline_hours": 24}, "nothing changed"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message_and_store_nothing(
    factory: sessionmaker[Session], settings: Settings, kwargs: dict[str, object], message: str
) -> None:
    with factory.begin() as session, pytest.raises(content.ContentError, match=message):
        content.change_content(session, settings, by="admin", now=NOW, **kwargs)  # type: ignore[arg-type]
    with factory() as session:
        assert session.scalars(select(ContentVersion)).all() == []


def test_kiosks_receive_the_new_version_on_their_next_sync(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    before = post(client, hall, envelope([]))
    assert before.config["scoring"]["version"] == "2024.1"
    reasons = [{"code": "attitude.rude", "dimension": "attitude", "zh": "态度差", "en": "Rude"}]
    version = change(
        factory,
        settings,
        weights={
            "attitude": "0.40",
            "efficiency": "0.15",
            "process": "0.15",
            "environment": "0.15",
            "overall": "0.15",
        },
        alert_deadline_hours=8,
        reasons=reasons,
    )
    config = post(client, hall, envelope([])).config
    assert config["scoring"]["version"] == version
    assert config["scoring"]["weights"]["attitude"] == "0.40"
    assert config["scoring"]["alert_deadline_hours"] == 8
    assert config["reasons"] == reasons
    # The keys a kiosk already reads stay where they were (extend, never rename).
    for key in ("timezone", "max_batch_ratings", "max_batch_bytes", "clock_offset_limit_s"):
        assert key in config


def test_new_ratings_are_scored_and_alerted_by_the_version_in_force(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    version = change(
        factory,
        settings,
        weights={
            "attitude": "0.60",
            "efficiency": "0.10",
            "process": "0.10",
            "environment": "0.10",
            "overall": "0.10",
        },
        alert_deadline_hours=6,
    )
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    # Attitude 1, the rest 5: 0.6 + 0.4 x 5 = 2.6 under the new weights (3.8 under the old).
    scores = {"attitude": 1, "efficiency": 5, "process": 5, "environment": 5, "overall": 5}
    # No staff named: one this hall's roster lacks would be flagged, which is not this test.
    sent = rating(seq=1, scores=scores, created_at=created, content_version=version, staff_id=None)
    before = datetime.now(UTC)
    answer = post(client, hall, envelope([sent]))
    after = datetime.now(UTC)
    low = [a for a in answer.alerts if a.kind == "low_score"]
    assert len(low) == 1
    # The version's deadline, counted from when the server learned of the rating.
    assert before <= low[0].due_at - timedelta(hours=6) <= after
    with factory() as session:
        stored = session.get(Rating, sent["id"])
        assert stored is not None
        assert stored.weighted_score == 26_000 * SCORE_SCALE // 10_000
        assert stored.content_version == version
        assert stored.flags == 0  # made with the version in force: nothing to review


def test_a_rating_keeps_the_version_it_was_made_with(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    old = rating(seq=1)  # made with 2024.1 before the kiosk learned of the change
    change(factory, settings, alert_deadline_hours=12)
    post(client, hall, envelope([old]))
    with factory() as session:
        stored = session.get(Rating, old["id"])
        assert stored is not None
        assert stored.content_version == "2024.1"


def test_the_phone_page_offers_the_reasons_in_force(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    reasons = [{"code": "wait", "dimension": "efficiency", "zh": "排队久", "en": "Queue"}]
    change(factory, settings, reasons=reasons)
    token = post(client, hall, envelope([])).config["mobile"]["token"]
    page = client.get(f"/m/{token}").text
    assert "排队久" in page
    assert "等待时间长" not in page  # a default reason the new version dropped
