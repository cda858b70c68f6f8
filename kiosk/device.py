"""This kiosk's enrolled identity, kept in its store: who it syncs as, and where to."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import requests

from kiosk.store import Store
from sync import client as sync_client
from sync.client import Device, SyncClient
from sync.enroll import enroll

DEVICE_KEY = "device"


def app_version() -> str:
    """This kiosk's version as the package metadata says (`0.0.0+source` when the source
    runs uninstalled): what enrollment, every sync and the admin screen report."""
    try:
        return version("hallrate")
    except PackageNotFoundError:
        return "0.0.0+source"


def enrolled_device(store: Store) -> Device | None:
    data: dict[str, Any] | None = store.get_setting(DEVICE_KEY)
    if not data:
        return None
    return Device(
        server_url=data["server_url"],
        token=data["token"],
        counter_id=data["counter"]["id"],
        app_version=app_version(),
    )


def enroll_device(
    store: Store, server_url: str, code: str, *, session: requests.Session | None = None
) -> dict[str, Any]:
    """Enroll with `code`, keep the identity and the server's configuration (the scoring
    rules among it), and lift any "enroll again" stop."""
    answer = enroll(server_url, code, app_version(), session=session)
    data = {"server_url": server_url, **answer.model_dump(mode="json")}
    store.set_setting(DEVICE_KEY, data)
    store.set_setting(sync_client.SERVER_CONFIG, answer.config)
    store.set_setting(sync_client.UNAUTHORIZED, False)
    store.set_setting(sync_client.NEXT_ATTEMPT, None)
    return data


def client_factory(store: Store, session: requests.Session | None = None) -> SyncClient | None:
    """A sync client for the enrolled device, or None before enrollment."""
    device = enrolled_device(store)
    return None if device is None else SyncClient(store, device, session=session)


@dataclass(frozen=True)
class SyncStatus:
    """What the admin needs to know about delivery to the server."""

    enrolled: bool
    server_url: str | None
    must_enroll_again: bool
    pending: int
    dead: int
    last_success_ts: float | None
    last_error: str | None
    next_attempt_ts: float | None


def sync_status(store: Store) -> SyncStatus:
    device = store.get_setting(DEVICE_KEY) or {}
    status = store.status()
    error = store.get_setting(sync_client.LAST_ERROR)
    last_success = store.get_setting(sync_client.LAST_SUCCESS)
    # An error older than the last success is history, not the current state.
    if error and last_success and error.get("ts", 0) < last_success:
        error = None
    return SyncStatus(
        enrolled=bool(device),
        server_url=device.get("server_url"),
        must_enroll_again=bool(store.get_setting(sync_client.UNAUTHORIZED, False)),
        pending=status.pending + status.in_flight,
        dead=status.dead,
        last_success_ts=last_success,
        last_error=None if not error else str(error.get("error")),
        next_attempt_ts=store.get_setting(sync_client.NEXT_ATTEMPT),
    )
