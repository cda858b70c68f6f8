"""Importing an offline bundle: the same ingest as `POST /api/v1/sync`, and a sealed receipt.

A hall that never connects carries its kiosk's bundle on a USB stick. The bundle names its
device and is sealed with the device's bundle key, which this server keeps wrapped under
its secret key (server/devices/service.py), so a bundle from another device, an altered
one, or one forged by someone holding only a copy of the database is refused before
anything is stored. Importing the
same bundle twice stores nothing twice: its ratings come back as duplicates.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from server.devices.service import bundle_key
from server.ingest.service import ingest
from server.models import Device
from server.settings import Settings
from sync import bundle
from sync.protocol import MAX_BATCH_RATINGS, SyncRequest


def import_bundle(
    session: Session, data: bytes, settings: Settings, now: datetime
) -> bundle.Receipt:
    """Verify and ingest a bundle; the receipt holds a result for every item."""
    document = bundle.read(data, bundle.BUNDLE_FORMAT)
    device = session.get(Device, document["device_id"])
    if device is None or not device.active:
        raise bundle.BundleError("the bundle's device is not enrolled on this server")
    bundle.verify(document, bundle_key(device, settings))
    sealed = bundle.Bundle.from_document(document)
    results: dict[str, str] = {}
    errors: dict[str, str] = {}
    ratings, sessions = sealed.ratings, sealed.sessions
    for start in range(0, max(len(ratings), len(sessions), 1), MAX_BATCH_RATINGS):
        envelope = _envelope(
            {
                "protocol": 1,
                "batch_id": str(uuid.uuid4()),
                # The device clock at export says nothing about the clock at rating time
                # (the stick may travel for days), so no clock correction is applied.
                "device_time": now,
                "queue_depth": 0,
                "app_version": device.app_version,
                "ratings": ratings[start : start + MAX_BATCH_RATINGS],
                "sessions": sessions[start : start + MAX_BATCH_RATINGS],
            }
        )
        answer = ingest(session, device.id, envelope, settings, now, settings.public_url)
        results.update(answer.results)
        errors.update(answer.errors)
    return bundle.Receipt(
        bundle_id=sealed.bundle_id, device_id=device.id, results=results, errors=errors
    )


def _envelope(data: dict[str, object]) -> SyncRequest:
    try:
        return SyncRequest.model_validate(data)
    except ValidationError as exc:
        # Sealed by the device, yet not what a kiosk writes: say so, store nothing.
        raise bundle.BundleError(
            f"the bundle's content is malformed ({exc.error_count()} problems, first: "
            f"{exc.errors()[0]['msg']})"
        ) from None


def seal_receipt(receipt: bundle.Receipt, device: Device, settings: Settings) -> bytes:
    return bundle.seal(receipt.document(), bundle_key(device, settings))
