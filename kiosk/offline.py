"""Offline delivery for halls that never connect: export a bundle, import the receipt."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.device import DEVICE_KEY
from kiosk.store import Store
from sync import bundle
from sync.client import sort_results


class OfflineError(Exception):
    """Export or import cannot be done; the message says why."""


def _identity(store: Store) -> tuple[str, str, str]:
    device = store.get_setting(DEVICE_KEY)
    if not device:
        raise OfflineError("this kiosk is not enrolled: enroll it once before exporting")
    return device["device_id"], device["counter"]["id"], device["token"]


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.rename(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def export_bundle(store: Store, directory: Path) -> tuple[Path, int]:
    """Write every undelivered rating and session to a sealed bundle in `directory`."""
    device_id, counter_id, token = _identity(store)
    entries = store.pending_outbox(
        max_items=10**9, max_bytes=10**15, states=("pending", "in_flight")
    )
    # A session still under way waits for the next bundle: its ended copy replaces the one
    # queued, and a receipt for the opening copy must not mark the ended one delivered.
    entries = [e for e in entries if e.kind != "session" or json.loads(e.payload).get("ended_at")]
    now = datetime.now().astimezone()
    sealed = bundle.Bundle(
        bundle_id=str(uuid.uuid4()),
        device_id=device_id,
        counter_id=counter_id,
        created_at=now.isoformat(timespec="seconds"),
        ratings=[json.loads(e.payload) for e in entries if e.kind == "rating"],
        sessions=[json.loads(e.payload) for e in entries if e.kind == "session"],
    )
    if not directory.is_dir():
        raise OfflineError(f"{directory} is not a folder (is the USB stick mounted?)")
    path = directory / f"hallrate-{counter_id}-{now:%Y%m%d-%H%M%S}.bundle.json"
    try:
        _write_atomically(path, bundle.seal(sealed.document(), bundle.device_key(token)))
    except OSError as exc:
        raise OfflineError(f"cannot write {path}: {exc.strerror}") from exc
    return path, len(entries)


@dataclass(frozen=True)
class ReceiptOutcome:
    delivered: int
    dead: int
    unknown: int


def import_receipt(store: Store, path: Path) -> ReceiptOutcome:
    """Mark what the server's receipt says it took as delivered; refuse a foreign receipt."""
    device_id, _, token = _identity(store)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OfflineError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        document = bundle.read(data, bundle.RECEIPT_FORMAT)
        if document["device_id"] != device_id:
            raise bundle.BundleError("this receipt is for another device")
        bundle.verify(document, bundle.device_key(token))
        receipt = bundle.Receipt.from_document(document)
    except bundle.BundleError as exc:
        raise OfflineError(str(exc)) from exc
    verdicts = sort_results(receipt.results, receipt.results, receipt.errors)
    moved = store.mark_outbox(verdicts.delivered, "delivered")
    for item_id, note in verdicts.dead:
        store.mark_outbox([item_id], "dead", error=note)
    return ReceiptOutcome(
        delivered=moved, dead=len(verdicts.dead), unknown=len(verdicts.delivered) - moved
    )
