"""Staff photos, fetched from the server once and kept by their SHA-256 next to the store.

The server's config lists each staff member's `photo_sha256` and `photo_url`; the sync
thread calls `fetch_missing` after each round and the welcome screen shows the file
`path_for(sha256)` names. A photo is written only when its bytes hash to the hash the
server named, under a temporary name first, so a half-written or swapped file is never
shown.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

import requests

from kiosk.device import enrolled_device
from kiosk.store import Store
from sync.client import SERVER_CONFIG

log = logging.getLogger(__name__)

#: A photo larger than this is not taken (the server keeps them well under it).
MAX_PHOTO_BYTES = 2 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StaffPhotos:
    """The photo folder of one kiosk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def beside(cls, store: Store) -> StaffPhotos:
        return cls(store.path.parent / "photos")

    def path_for(self, sha256: str | None) -> Path | None:
        """The photo with this hash, when it is here."""
        if not sha256 or not _SHA256.match(sha256):
            return None
        path = self.folder / f"{sha256}.jpg"
        return path if path.is_file() else None

    def fetch_missing(self, store: Store, session: requests.Session | None = None) -> int:
        """Download the photos the server's staff list names that are not here yet; how
        many were fetched. Failures are logged and tried again after the next sync."""
        device = enrolled_device(store)
        config = store.get_setting(SERVER_CONFIG) or {}
        staff = config.get("staff") if isinstance(config, Mapping) else None
        if device is None or not staff:
            return 0
        http = session or requests.Session()
        fetched = 0
        for member in staff:
            if not isinstance(member, Mapping):
                continue
            sha256, url = member.get("photo_sha256"), member.get("photo_url")
            if not isinstance(sha256, str) or not isinstance(url, str) or not url.startswith("/"):
                continue
            if not _SHA256.match(sha256) or self.path_for(sha256) is not None:
                continue
            try:
                answer = http.get(
                    device.server_url.rstrip("/") + url,
                    headers={"Authorization": f"Bearer {device.token}"},
                    timeout=(5, 20),
                )
            except requests.RequestException as exc:
                log.warning(
                    "photo of staff %s not fetched: %s", member.get("id"), type(exc).__name__
                )
                continue
            data = answer.content
            if answer.status_code != 200 or len(data) > MAX_PHOTO_BYTES:
                log.warning(
                    "photo of staff %s not fetched: HTTP %d, %d bytes",
                    member.get("id"),
                    answer.status_code,
                    len(data),
                )
                continue
            if hashlib.sha256(data).hexdigest() != sha256:
                log.warning("photo of staff %s does not match its hash; ignored", member.get("id"))
                continue
            self._write(sha256, data)
            fetched += 1
        return fetched

    def _write(self, sha256: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{sha256}.jpg"
        partial = target.with_suffix(".part")
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
