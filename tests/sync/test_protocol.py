"""Protocol v1 validation: strict types, one bad rating never sinks the batch."""

from typing import Any

import pytest
from pydantic import ValidationError

from sync.protocol import (
    MAX_COMMENT_CHARS,
    Rating,
    ServiceSession,
    SyncRequest,
    SyncResponse,
    parse_items,
)

GOOD_ID = "0192f4e0-7c3a-7b1e-9f00-4a1c2b3d4e5f"


def rating(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": GOOD_ID,
        "seq": 1,
        "counter_id": "c-01",
        "staff_id": "s-007",
        "session_id": None,
        "created_at": "2026-11-23T09:30:00+08:00",
        "scores": {"attitude": 5, "efficiency": 4, "process": 3, "environment": 2, "overall": 1},
        "reasons": ["wait_long"],
        "comment": "办理很快,谢谢",
        "channel": "kiosk",
        "content_version": "2024.1",
    }
    base.update(changes)
    return base


def test_a_valid_rating_round_trips_through_json() -> None:
    parsed = Rating.model_validate(rating())
    again = Rating.model_validate_json(parsed.model_dump_json())
    assert again == parsed
    assert parsed.created_at.utcoffset() is not None
    assert parsed.created_at.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize("bad_score", [0, 6, 3.5, "5", True, None])
def test_scores_must_be_integers_one_to_five(bad_score: object) -> None:
    raw = rating(scores={**rating()["scores"], "attitude": bad_score})
    with pytest.raises(ValidationError, match=r"scores\.attitude|attitude"):
        Rating.model_validate(raw)


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-23T09:30:00", "2026-11-23", "1732345800", "yesterday", "2026-13-40T99:00:00Z"],
)
def test_timestamps_need_rfc3339_with_an_offset(stamp: str) -> None:
    with pytest.raises(ValidationError, match="created_at"):
        Rating.model_validate(rating(created_at=stamp))


@pytest.mark.parametrize("stamp", ["2026-11-23T01:30:00Z", "2026-11-23T09:30:00.123456789+08:00"])
def test_rfc3339_variants_are_accepted(stamp: str) -> None:
    assert Rating.model_validate(rating(created_at=stamp)).created_at.tzinfo is not None


def test_comment_length_and_nul_bytes() -> None:
    Rating.model_validate(rating(comment="评" * MAX_COMMENT_CHARS))
    with pytest.raises(ValidationError, match="comment"):
        Rating.model_validate(rating(comment="评" * (MAX_COMMENT_CHARS + 1)))
    with pytest.raises(ValidationError, match="NUL"):
        Rating.model_validate(rating(comment="a\x00b"))


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", 42])
def test_ids_must_be_uuids(bad_id: object) -> None:
    with pytest.raises(ValidationError, match="id"):
        Rating.model_validate(rating(id=bad_id))


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Rating.model_validate(rating(phone="13800000000"))


def test_one_bad_rating_does_not_sink_the_batch() -> None:
    other = "0192f4e0-7c3a-7b1e-9f00-4a1c2b3d4e60"
    raw = [
        rating(),
        rating(id=other, seq=2, scores={**rating()["scores"], "overall": 6}),
        {"id": 17},
    ]
    valid, errors = parse_items(Rating, raw)
    assert [r.id for r in valid] == [GOOD_ID]
    assert set(errors) == {other, "#2"}
    assert "overall" in errors[other]


def test_sync_envelope_keeps_items_raw_and_checks_the_rest() -> None:
    envelope = {
        "protocol": 1,
        "batch_id": GOOD_ID,
        "device_time": "2026-11-23T09:30:05+08:00",
        "queue_depth": 3,
        "app_version": "0.1.0",
        "ratings": [{"anything": "validated later"}],
        "sessions": [],
    }
    assert SyncRequest.model_validate(envelope).ratings == [{"anything": "validated later"}]
    with pytest.raises(ValidationError, match="protocol"):
        SyncRequest.model_validate({**envelope, "protocol": 2})
    with pytest.raises(ValidationError, match="queue_depth"):
        SyncRequest.model_validate({**envelope, "queue_depth": -1})


def test_sync_response_results_are_one_of_four_words() -> None:
    answer = {
        "protocol": 1,
        "batch_id": GOOD_ID,
        "server_time": "2026-11-23T01:30:06Z",
        "results": {GOOD_ID: "accepted"},
    }
    assert SyncResponse.model_validate(answer).results == {GOOD_ID: "accepted"}
    with pytest.raises(ValidationError, match="results"):
        SyncResponse.model_validate({**answer, "results": {GOOD_ID: "ok"}})


def test_a_service_session_validates_its_times() -> None:
    session = {
        "id": GOOD_ID,
        "counter_id": "c-01",
        "started_at": "2026-11-23T09:20:00+08:00",
        "ended_at": "2026-11-23T09:28:00+08:00",
        "finished_in_one_visit": True,
    }
    parsed = ServiceSession.model_validate(session)
    assert parsed.ended_at is not None
    with pytest.raises(ValidationError, match="finished_in_one_visit"):
        ServiceSession.model_validate({**session, "finished_in_one_visit": "yes"})
