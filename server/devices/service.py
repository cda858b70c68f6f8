"""Device tokens and what the server notes at each contact: last contact, app version,
queue depth, clock offset and the gaps in the device's `seq`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from server.content.service import config_block, content_in_force
from server.devices import repository
from server.halls import repository as halls
from server.models import Device, Hall
from server.sessions.service import MATTERS_KEY, matter_catalog
from server.settings import Settings, SettingsError
from sync import bundle
from sync.protocol import MAX_BATCH_BYTES, MAX_BATCH_RATINGS

#: Gap ranges remembered per device; the oldest are forgotten past this.
MAX_GAP_RANGES = 1000


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are random (256 bits), so a plain SHA-256 suffices; no salt or stretching."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def authenticate(session: Session, token: str) -> Device | None:
    return repository.by_token_hash(session, hash_token(token))


def secret_id(secret: str) -> str:
    """A short fingerprint naming a secret key without revealing it."""
    return hashlib.sha256(f"hallrate-secret-id:{secret}".encode()).hexdigest()[:16]


def _pad(secret: str, device_id: str) -> bytes:
    key = hashlib.sha256(f"hallrate-bundle-wrap:{secret}".encode()).digest()
    return hmac.new(key, device_id.encode(), hashlib.sha256).digest()


def _xor(key_hex: str, pad: bytes) -> str:
    return bytes(a ^ b for a, b in zip(bytes.fromhex(key_hex), pad, strict=True)).hex()


def store_bundle_key(device: Device, token: str, settings: Settings) -> None:
    """Keep the device's bundle key (derived from its token, which the server sees only at
    enrollment and in each request) wrapped under the current secret key. A no-op when
    already so; skipped when no secret is configured (a command-line enrollment), to be
    done at the device's first sync."""
    try:
        secret = settings.secret
    except SettingsError:
        return
    current = secret_id(secret)
    if device.bundle_key_secret_id == current and device.bundle_key_wrapped is not None:
        return
    device.bundle_key_wrapped = _xor(bundle.device_key(token), _pad(secret, device.id))
    device.bundle_key_secret_id = current


def bundle_key(device: Device, settings: Settings) -> str:
    """The device's bundle key, unwrapped with whichever accepted secret wrapped it;
    BundleError when it cannot be had."""
    if device.bundle_key_wrapped is None:
        raise bundle.BundleError(
            "the server holds no bundle key for this device yet: let the kiosk sync once, "
            "or enroll it again"
        )
    for secret in settings.secrets:
        if secret_id(secret) == device.bundle_key_secret_id:
            return _xor(device.bundle_key_wrapped, _pad(secret, device.id))
    raise bundle.BundleError(
        "the device's bundle key was kept under a secret key this server no longer has "
        "(rotated twice since the kiosk last synced): enroll the kiosk again"
    )


class DeviceError(ValueError):
    """A device that cannot be changed as asked."""


def revoke_device(session: Session, device_id: str, now: datetime) -> Device:
    """Void the device's token (a stolen or retired kiosk): its syncs and offline bundles
    are refused from now on, and phone tokens of its counter stop yielding ratings until a
    new device is enrolled there. The ratings it delivered stay."""
    device = session.get(Device, device_id)
    if device is None:
        raise DeviceError(f"no device {device_id!r}")
    device.active = False
    if device.revoked_at is None:
        device.revoked_at = now
    device.bundle_key_wrapped = None
    device.bundle_key_secret_id = None
    return device


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
    device.oldest_pending_at = _on_server_clock(oldest_pending_at, clock_offset_s)
    device.clock_offset_s = clock_offset_s
    device.clock_flagged = clock_flagged
    highest, gaps = merge_seqs(device.highest_seq, list(device.seq_gaps or []), seqs)
    device.highest_seq = highest
    device.seq_gaps = gaps
    device.ratings_received += stored


def _on_server_clock(moment: datetime | None, offset_s: float) -> datetime | None:
    """A device-clock time on the server's clock; None when absent or no plausible date
    (a device may say anything here, and it is only a health figure)."""
    if moment is None:
        return None
    try:
        shifted = moment + timedelta(seconds=offset_s)
    except OverflowError:
        return None
    return shifted if 1900 <= shifted.year < 9000 else None  # as ingest's PLAUSIBLE_YEARS


def pending_age_s(device: Device, now: datetime) -> float | None:
    """How long the oldest rating the device held undelivered at its last contact has been
    waiting by now; None when its queue was empty."""
    if device.oldest_pending_at is None:
        return None
    return max(0.0, (now - device.oldest_pending_at).total_seconds())


def staff_photo_path(staff_id: str, sha256: str) -> str:
    """Where a device fetches a staff photo (server/devices/staff_photos.py); the hash in the
    query makes a changed photo a new address, so a kiosk may cache by it."""
    return f"/api/v1/staff/{quote(staff_id, safe='')}/photo?v={sha256}"


def device_config(session: Session, settings: Settings, hall: Hall) -> dict[str, Any]:
    """The configuration a device receives at enrollment and with every sync answer:
    the content in force (scoring settings, low-score reasons) and the hall's staff."""
    staff = [
        {
            "id": s.id,
            "name": s.name,
            "counter_id": s.counter_id,
            "photo_sha256": s.photo_sha256,
            "photo_url": staff_photo_path(s.id, s.photo_sha256) if s.photo_sha256 else None,
        }
        for s in halls.list_staff(session, hall.id, include_disabled=False)
    ]
    return {
        **config_block(content_in_force(session, settings)),
        "staff": staff,
        MATTERS_KEY: matter_catalog(session),
        "timezone": hall.timezone,
        "max_batch_ratings": MAX_BATCH_RATINGS,
        "max_batch_bytes": MAX_BATCH_BYTES,
        "clock_offset_limit_s": settings.clock_offset_limit_s,
    }
