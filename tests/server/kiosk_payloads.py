"""Ratings and sync envelopes as a protocol v1 kiosk would send them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import uuid6

ALL_FIVES = {"attitude": 5, "efficiency": 5, "process": 5, "environment": 5, "overall": 5}
ALL_ONES = {"attitude": 1, "efficiency": 1, "process": 1, "environment": 1, "overall": 1}


def rating(
    counter_id: str = "c1",
    seq: int = 1,
    *,
    scores: dict[str, Any] | None = None,
    created_at: datetime | str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    when = created_at or datetime.now(UTC) - timedelta(minutes=1)
    body: dict[str, Any] = {
        "id": str(uuid6.uuid7()),
        "seq": seq,
        "counter_id": counter_id,
        "staff_id": "s1",
        "session_id": None,
        "created_at": when if isinstance(when, str) else when.isoformat(),
        "scores": dict(scores or ALL_FIVES),
        "reasons": [],
        "comment": "",
        "channel": "kiosk",
        "content_version": "2024.1",
    }
    body.update(extra)
    return body


def envelope(
    ratings: list[dict[str, Any]],
    *,
    device_time: datetime | None = None,
    sessions: list[dict[str, Any]] | None = None,
    queue_depth: int = 0,
) -> dict[str, Any]:
    return {
        "protocol": 1,
        "batch_id": str(uuid.uuid4()),
        "device_time": (device_time or datetime.now(UTC)).isoformat(),
        "queue_depth": queue_depth,
        "app_version": "1.0",
        "ratings": ratings,
        "sessions": sessions or [],
    }
