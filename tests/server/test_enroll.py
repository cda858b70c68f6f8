"""POST /api/v1/enroll: one-time, expiring codes traded for a device token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.enrollment import service as enrollment
from server.models import Device, EnrollmentCode
from server.settings import Settings
from sync.protocol import EnrollResponse
from tests.server.conftest import Hall
from tests.server.kiosk_payloads import envelope, rating


def new_code(
    factory: sessionmaker[Session],
    settings: Settings,
    counter_id: str = "c2",
    now: datetime | None = None,
) -> str:
    with factory.begin() as session:
        return enrollment.make_code(session, counter_id, settings, now or datetime.now(UTC)).code


def devices(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Device)) or 0


def test_a_code_enrolls_a_device_whose_token_then_syncs(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    code = new_code(factory, settings, hall.other_counter_id)
    response = client.post("/api/v1/enroll", json={"code": code, "app_version": "1.2.3"})
    assert response.status_code == 200, response.text
    answer = EnrollResponse.model_validate_json(response.text)
    assert answer.counter.id == hall.other_counter_id
    assert answer.hall.id == hall.hall_id
    assert answer.config["scoring"]["version"] == settings.default_scoring.version
    r = rating(hall.other_counter_id)
    synced = client.post(
        "/api/v1/sync", json=envelope([r]), headers={"Authorization": f"Bearer {answer.token}"}
    )
    assert synced.json()["results"] == {r["id"]: "accepted"}
    with factory() as session:
        device = session.get(Device, answer.device_id)
        assert device is not None
        assert answer.token not in device.token_hash  # only a hash is kept
        assert device.app_version == "1.0"  # from the sync envelope


def test_codes_are_typed_forgivingly(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    code = new_code(factory, settings)
    typed = code.lower().replace("-", " ")
    response = client.post("/api/v1/enroll", json={"code": typed, "app_version": "1"})
    assert response.status_code == 200


def test_a_replayed_code_is_409_and_enrolls_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    code = new_code(factory, settings)
    first = client.post("/api/v1/enroll", json={"code": code, "app_version": "1"})
    assert first.status_code == 200
    count = devices(factory)
    replay = client.post("/api/v1/enroll", json={"code": code, "app_version": "1"})
    assert replay.status_code == 409
    assert replay.json()["error"]["code"] == "code_used"
    assert devices(factory) == count
    # the first device still works
    token = first.json()["token"]
    ok = client.post(
        "/api/v1/sync", json=envelope([rating("c2")]), headers={"Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == 200


def test_an_expired_code_is_410(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    code = new_code(factory, settings, now=datetime.now(UTC) - timedelta(days=30))
    response = client.post("/api/v1/enroll", json={"code": code, "app_version": "1"})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "code_expired"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "NOPE-NOPE-NOPE", "app_version": "1"},
        {"code": "x", "app_version": "1"},
        {"code": 1234, "app_version": "1"},
        {"app_version": "1"},
        {"code": "ABCD-EFGH"},
    ],
    ids=["unknown", "too-short", "number", "no-code", "no-version"],
)
def test_a_bad_enrollment_is_a_clear_4xx_and_enrolls_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], body: dict[str, object]
) -> None:
    count = devices(factory)
    response = client.post("/api/v1/enroll", json=body)
    assert response.status_code in (401, 422)
    assert response.json()["error"]["code"] in ("invalid_code", "invalid_request")
    assert devices(factory) == count


def test_enrolling_again_replaces_the_counters_previous_device(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    code = new_code(factory, settings, hall.counter_id)
    response = client.post("/api/v1/enroll", json={"code": code, "app_version": "2"})
    assert response.status_code == 200
    old = client.post("/api/v1/sync", json=envelope([rating()]), headers=hall.auth)
    assert old.status_code == 401
    assert old.json()["error"]["code"] == "device_replaced"


def test_guessing_codes_is_slowed_down_with_429(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    for _ in range(settings.enroll_failures_per_minute):
        assert (
            client.post(
                "/api/v1/enroll", json={"code": "GUESS-GUESS", "app_version": "1"}
            ).status_code
            == 401
        )
    code = new_code(factory, settings)
    blocked = client.post("/api/v1/enroll", json={"code": code, "app_version": "1"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_requests"
    assert int(blocked.headers["retry-after"]) > 0
    with factory() as session:
        unused = session.scalar(
            select(func.count()).select_from(EnrollmentCode).where(EnrollmentCode.used_at.is_(None))
        )
    assert unused == 1  # the real code was not spent
