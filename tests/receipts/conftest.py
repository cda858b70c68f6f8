"""A kiosk with a receipt printer of the test's choosing, and the server's QR config."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kiosk.app import Kiosk
from kiosk.receipt.printer import Printer
from kiosk.store import Store
from sync.client import LAST_SUCCESS, SERVER_CONFIG
from tests.kiosk.kiosk_drive import KioskFactory

PUBLIC_URL = "http://192.168.10.5:8000"
TOKEN = "AWsQPVM6yUVwihBtvwBjMeRKhb5qh-Qixr6sqTwO3o0"

PrinterKiosk = Callable[..., Kiosk]


def hold_server_config(
    store: Store,
    *,
    valid_s: float = 900.0,
    received_ts: float | None = None,
    public_url: str | None = PUBLIC_URL,
    token: str | None = TOKEN,
) -> None:
    """Store what a sync answer would have brought: the public address and a phone token."""
    config: dict[str, object] = {}
    if public_url is not None:
        config["public_url"] = public_url
    if token is not None:
        config["mobile"] = {"token": token, "expires_at": "", "valid_s": valid_s}
    store.set_setting(SERVER_CONFIG, config)
    store.set_setting(LAST_SUCCESS, time.time() if received_ts is None else received_ts)


@pytest.fixture
def printer_kiosk(make_kiosk: KioskFactory) -> PrinterKiosk:
    """make_kiosk with the receipt printer as its first argument."""

    def make(
        printer: Printer | None = None, size: tuple[int, int] = (800, 480), **changes: object
    ) -> Kiosk:
        return make_kiosk(size, printer=printer, **changes)

    return make
