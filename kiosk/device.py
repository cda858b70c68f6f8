"""This kiosk's enrolled identity, kept in its store: who it syncs as, and where to."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import requests

from kiosk.store import Store
from sync import client as sync_client
from sync.client import Device, SyncClient
from sync.enroll import enroll

DEVICE_KEY = "device"


def app_version() -> str:
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
    """Enroll with `code`, keep the identity, and lift any "enroll again" stop."""
    answer = enroll(server_url, code, app_version(), session=session)
    data = {"server_url": server_url, **answer.model_dump(mode="json")}
    store.set_setting(DEVICE_KEY, data)
    store.set_setting(sync_client.UNAUTHORIZED, False)
    store.set_setting(sync_client.NEXT_ATTEMPT, None)
    return data


def client_factory(store: Store, session: requests.Session | None = None) -> SyncClient | None:
    """A sync client for the enrolled device, or None before enrollment."""
    device = enrolled_device(store)
    return None if device is None else SyncClient(store, device, session=session)
