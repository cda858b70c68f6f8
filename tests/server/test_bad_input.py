"""Bad input gets a clear 4xx JSON error (or a per-rating rejection) and changes nothing."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.models import Alert, Device, EnrollmentCode, Rating, ServiceSession
from sync.protocol import MAX_BATCH_BYTES, MAX_BATCH_RATINGS
from tests.server.conftest import Hall, validation_only
from tests.server.kiosk_payloads import ALL_FIVES, envelope, rating


def snapshot(factory: sessionmaker[Session]) -> tuple[object, ...]:
    """What a bad request must not change."""
    with factory() as session:
        device = session.scalars(select(Device).order_by(Device.id)).first()
        return (
            session.scalar(select(func.count()).select_from(Rating)),
            session.scalar(select(func.count()).select_from(ServiceSession)),
            session.scalar(select(func.count()).select_from(Alert)),
            session.scalar(select(func.count()).select_from(Device)),
            session.scalar(
                select(func.count())
                .select_from(EnrollmentCode)
                .where(EnrollmentCode.used_at.is_(None))
            ),
            device.last_contact_at if device else None,
        )


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["message"], str)
    assert error["message"]
    if code:
        assert error["code"] == code


@validation_only
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b"[1, 2, 3]", "invalid_envelope"),
        (b'"just a string"', "invalid_envelope"),
        (b'{"protocol": 2}', "invalid_envelope"),
        (b'{"protocol": "1", "batch_id": "x"}', "invalid_envelope"),
        (json.dumps(dict(envelope([]), protocol=2)).encode(), "invalid_envelope"),
        (json.dumps(dict(envelope([]), batch_id="not-a-uuid")).encode(), "invalid_envelope"),
        (json.dumps(dict(envelope([]), device_time="yesterday")).encode(), "invalid_envelope"),
        (
            json.dumps(dict(envelope([]), device_time="2024-01-01T10:00:00")).encode(),
            "invalid_envelope",
        ),
        (json.dumps(dict(envelope([]), queue_depth=-1)).encode(), "invalid_envelope"),
        (json.dumps(dict(envelope([]), queue_depth=2**80)).encode(), "invalid_envelope"),
        (json.dumps(dict(envelope([]), ratings={"a": 1})).encode(), "invalid_envelope"),
        (json.dumps(dict(envelope([]), ratings=[1, 2])).encode(), "invalid_envelope"),
        (
            json.dumps({k: v for k, v in envelope([]).items() if k != "batch_id"}).encode(),
            "invalid_envelope",
        ),
        (json.dumps(dict(envelope([]), extra="field")).encode(), "invalid_envelope"),
    ],
    ids=[
        "truncated",
        "empty",
        "array",
        "string",
        "protocol-only",
        "protocol-as-string",
        "protocol-2",
        "bad-batch-id",
        "bad-device-time",
        "naive-device-time",
        "negative-queue",
        "huge-int",
        "ratings-object",
        "ratings-not-objects",
        "missing-batch-id",
        "unknown-field",
    ],
)
def test_a_malformed_envelope_is_422_and_changes_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], body: bytes, code: str
) -> None:
    before = snapshot(factory)
    response = client.post(
        "/api/v1/sync", content=body, headers={**hall.auth, "Content-Type": "application/json"}
    )
    assert_error(response, 422, code)
    assert snapshot(factory) == before


@validation_only
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scores": dict(ALL_FIVES, attitude=0)}, "attitude"),
        ({"scores": dict(ALL_FIVES, attitude=6)}, "attitude"),
        ({"scores": dict(ALL_FIVES, attitude=3.5)}, "attitude"),
        ({"scores": dict(ALL_FIVES, attitude="5")}, "attitude"),
        ({"scores": dict(ALL_FIVES, attitude=True)}, "attitude"),
        ({"scores": dict(ALL_FIVES, attitude=None)}, "attitude"),
        ({"scores": {k: v for k, v in ALL_FIVES.items() if k != "overall"}}, "overall"),
        ({"scores": dict(ALL_FIVES, accessibility=5)}, "accessibility"),
        ({"seq": 0}, "seq"),
        ({"seq": "1"}, "seq"),
        ({"seq": 2**63}, "seq"),
        ({"id": "not-a-uuid"}, "id"),
        ({"created_at": "2024-13-01T00:00:00Z"}, "created_at"),
        ({"created_at": "2024-01-01 10:00"}, "created_at"),
        ({"created_at": 1700000000}, "created_at"),
        ({"comment": "x" * 501}, "comment"),
        ({"comment": "nul \x00 byte"}, "comment"),
        ({"counter_id": "c1\x00"}, "counter_id"),
        ({"reasons": ["Robert'); DROP TABLE ratings;--"]}, "reasons"),
        ({"channel": "fax"}, "channel"),
        ({"content_version": ""}, "content_version"),
        ({"unexpected": 1}, "unexpected"),
    ],
    ids=lambda v: json.dumps(v)[:40] if isinstance(v, dict) else str(v),
)
def test_an_invalid_rating_is_rejected_with_its_reason_and_not_stored(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    change: dict[str, Any],
    field: str,
) -> None:
    good = rating(seq=1)
    bad = dict(rating(seq=2), **change)
    response = client.post("/api/v1/sync", json=envelope([good, bad]), headers=hall.auth)
    assert response.status_code == 200, response.text
    answer = response.json()
    key = bad["id"] if isinstance(bad["id"], str) and bad["id"] != "not-a-uuid" else "not-a-uuid"
    assert answer["results"][key] == "rejected"
    assert field in answer["errors"][key]
    assert answer["results"][good["id"]] == "accepted"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 1


@pytest.mark.parametrize(
    ("created_at", "reason"),
    [
        (datetime.now(UTC) + timedelta(days=2), "future"),
        (datetime.now(UTC) - timedelta(days=3000), "days ago"),
        ("0001-01-01T00:00:00+14:00", "plausible"),
        ("9999-12-31T23:59:59-12:00", "plausible"),
    ],
    ids=["two-days-ahead", "eight-years-old", "year-1", "year-9999"],
)
def test_timestamps_far_in_the_future_or_past_are_rejected(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], created_at: Any, reason: str
) -> None:
    r = rating(seq=1, created_at=created_at)
    response = client.post("/api/v1/sync", json=envelope([r]), headers=hall.auth)
    assert response.status_code == 200
    assert response.json()["results"] == {r["id"]: "rejected"}
    assert reason in response.json()["errors"][r["id"]]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 0


def test_far_device_time_envelopes_still_get_an_answer(client: TestClient, hall: Hall) -> None:
    for device_time in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        body = envelope([rating(seq=1, created_at=device_time)])
        body["device_time"] = device_time
        response = client.post("/api/v1/sync", json=body, headers=hall.auth)
        assert response.status_code == 200, response.text
        assert set(response.json()["results"].values()) == {"rejected"}


def test_sql_looking_strings_are_stored_as_plain_text(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    nasty = "'; DROP TABLE ratings; -- \" OR 1=1 /* 中文 */"
    r = rating(seq=1, comment=nasty, staff_id="x' OR '1'='1")
    response = client.post("/api/v1/sync", json=envelope([r]), headers=hall.auth)
    assert response.json()["results"] == {r["id"]: "accepted"}
    with factory() as session:
        stored = session.get(Rating, r["id"])
        assert stored is not None
        assert stored.comment == nasty
        assert stored.staff_id == "x' OR '1'='1"


@validation_only
def test_a_ten_megabyte_comment_is_413_and_changes_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    before = snapshot(factory)
    body = envelope([rating(seq=1, comment="x" * 10_000_000)])
    response = client.post("/api/v1/sync", json=body, headers=hall.auth)
    assert_error(response, 413, "too_large")
    assert snapshot(factory) == before


def test_more_than_a_thousand_ratings_is_413(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    before = snapshot(factory)
    ratings = [rating(seq=i) for i in range(1, MAX_BATCH_RATINGS + 2)]
    response = client.post("/api/v1/sync", json=envelope(ratings), headers=hall.auth)
    assert_error(response, 413, "too_large")
    assert snapshot(factory) == before
    exactly = client.post(
        "/api/v1/sync", json=envelope(ratings[:MAX_BATCH_RATINGS]), headers=hall.auth
    )
    assert exactly.status_code == 200


@validation_only
def test_a_gzip_bomb_is_413_without_inflating_it_all(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    before = snapshot(factory)
    # 64 MiB of spaces compress to 64 KiB; refused once inflated past the 2 MiB limit.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    bomb = b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()
    assert len(bomb) < MAX_BATCH_BYTES
    response = client.post(
        "/api/v1/sync",
        content=bomb,
        headers={**hall.auth, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert_error(response, 413, "too_large")
    assert snapshot(factory) == before


@validation_only
def test_a_body_that_is_not_gzip_is_400(client: TestClient, hall: Hall) -> None:
    response = client.post(
        "/api/v1/sync",
        content=b"plain text, not gzip",
        headers={**hall.auth, "Content-Encoding": "gzip"},
    )
    assert_error(response, 400, "bad_encoding")
    truncated = gzip.compress(json.dumps(envelope([rating()])).encode())[:-10]
    response = client.post(
        "/api/v1/sync", content=truncated, headers={**hall.auth, "Content-Encoding": "gzip"}
    )
    assert_error(response, 400, "bad_encoding")


@validation_only
def test_another_content_encoding_is_415(client: TestClient, hall: Hall) -> None:
    response = client.post(
        "/api/v1/sync", content=b"{}", headers={**hall.auth, "Content-Encoding": "br"}
    )
    assert_error(response, 415)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer \u00e9\u00e9"},
    ],
    ids=["missing", "wrong", "basic", "empty", "non-ascii"],
)
def test_a_missing_or_wrong_token_is_401_and_changes_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], headers: dict[str, str]
) -> None:
    before = snapshot(factory)
    encoded = {k: v.encode("utf-8") for k, v in headers.items()}
    response = client.post("/api/v1/sync", json=envelope([rating()]), headers=encoded)  # type: ignore[arg-type]
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert snapshot(factory) == before


def test_a_user_token_is_not_a_device_token(client: TestClient, hall: Hall) -> None:
    from tests.server.conftest import login

    response = client.post(
        "/api/v1/sync", json=envelope([rating()]), headers=login(client, "admin")
    )
    assert_error(response, 401, "invalid_token")


@validation_only
def test_unknown_routes_and_methods_answer_json(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing-here"), 404)
    assert_error(client.get("/api/v1/sync"), 405)
