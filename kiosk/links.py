"""Where the kiosk's QR codes point, from what the server last said (kept in the store)."""

from __future__ import annotations

from typing import Any

from kiosk.store import Store
from sync.client import LAST_SUCCESS, SERVER_CONFIG
from sync.receipt import PUBLIC_URL_KEY, MobileGrant, grant_from_config, receipt_url


class StoreLinks:
    """`QrLinks` over the kiosk's store: the grant of the last sync answer, counted from
    when that answer arrived."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _config(self) -> Any:
        return self._store.get_setting(SERVER_CONFIG)

    def phone_rating(self, now_ts: float) -> MobileGrant | None:
        received = self._store.get_setting(LAST_SUCCESS)
        if received is None:
            return None
        grant = grant_from_config(self._config(), float(received))
        return grant if grant is not None and grant.valid_at(now_ts) else None

    def receipt_url(self, code: str) -> str | None:
        config = self._config()
        public_url = config.get(PUBLIC_URL_KEY) if isinstance(config, dict) else None
        if not isinstance(public_url, str) or not public_url.startswith(("http://", "https://")):
            return None
        return receipt_url(public_url, code)
