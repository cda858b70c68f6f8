"""Device tokens and what the server notes at each contact: last contact, app version,
queue depth, clock offset and the gaps in the device's `seq`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from server.devices import repository
from server.models import Device
from server.settings import Settings
from sync.protocol import MAX_BATCH_BYTES, MAX_BATCH_RATINGS
from sync.scoring import CONFIG_BLOCK_KEY

#: Gap ranges remembered per device; the oldest are forgotten past this.
MAX_GAP_RANGES = 1000


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are random (256 bits), so a plain SHA-256 suffices; no salt or stretching."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def authenticate(session: Session, token: str) -> Device | None:
    return repository.by_token_hash(session, hash_token(token))


def merge_seqs(
    highest: int, gaps: list[list[int]], seen: Iterable[int]
) -> tuple[int, list[list[int]]]:
    """Fold newly seen `seq` numbers into (highest seen, missing ranges below it)."""
    ranges = [[int(a), int(b)] for a, b in gaps]
    for seq in sorted(set(seen)):
        if seq > highest:
            if seq > highest + 1:
                ranges.append([highest + 1, seq - 1])
            highest = seq
            continue
        for i, (first, last) in enumerate(ranges):
            if first <= seq <= last:
                pieces = []
                if first < seq:
                    pieces.append([first, seq - 1])
                if seq < last:
                    pieces.append([seq + 1, last])
                ranges[i : i + 1] = pieces
                break
    return highest, ranges[-MAX_GAP_RANGES:]


def record_contact(
    device: Device,
    *,
    now: datetime,
    app_version: str,
    queue_depth: int,
    oldest_pending_at: datetime | None,
    clock_offset_s: float,
    clock_flagged: bool,
    seqs: Iterable[int],
    stored: int,
) -> None:
    device.last_contact_at = now
    device.app_version = app_version
    device.queue_depth = queue_depth
    device.oldest_pending_at = (
        None if oldest_pending_at is None else oldest_pending_at + timedelta(seconds=clock_offset_s)
    )
    device.clock_offset_s = clock_offset_s
    device.clock_flagged = clock_flagged
    highest, gaps = merge_seqs(device.highest_seq, list(device.seq_gaps or []), seqs)
    device.highest_seq = highest
    device.seq_gaps = gaps
    device.ratings_received += stored


def pending_age_s(device: Device, now: datetime) -> float | None:
    """How long the oldest rating the device held undelivered at its last contact has been
    waiting by now; None when its queue was empty."""
    if device.oldest_pending_at is None:
        return None
    return max(0.0, (now - device.oldest_pending_at).total_seconds())


def device_config(settings: Settings, timezone: str) -> dict[str, Any]:
    """The configuration a device receives at enrollment and with every sync answer."""
    return {
        CONFIG_BLOCK_KEY: settings.scoring.to_mapping(),
        "timezone": timezone,
        "max_batch_ratings": MAX_BATCH_RATINGS,
        "max_batch_bytes": MAX_BATCH_BYTES,
        "clock_offset_limit_s": settings.clock_offset_limit_s,
    }
