"""The kiosk's sync loop: `SyncClient.run_once()` in a worker thread, reported by signals.

The loop runs 2 s after each rating (debounced), every 30 s, and on demand from the admin
screen. It drains the queue while batches go through, one uploader at a time, and never
touches widgets: the GUI learns what happened from signals. Enrollment and export to USB,
which also block on network or disk, run in the same thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from kiosk.device import SyncStatus, client_factory, enroll_device, sync_status
from kiosk.offline import OfflineError, export_bundle
from kiosk.photos import StaffPhotos
from kiosk.store import Store, StoreError
from sync.client import SyncResult
from sync.enroll import EnrollmentError
from sync.protocol import Place

log = logging.getLogger(__name__)

#: Batches sent in one go before the worker yields, so a 200,000-rating catch-up still
#: lets a rating-triggered or admin request through between rounds.
MAX_BATCHES_PER_ROUND = 50
#: How often, at most, confirmed ratings past the retention period are deleted.
PURGE_EVERY_S = 3600.0


@dataclass(frozen=True)
class Enrollment:
    """What an enrollment asked for on the admin screen came to: the hall and counter the
    server enrolled this kiosk for, or why it did not."""

    hall: Place | None = None
    counter: Place | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.counter is not None


class SyncWorker(QObject):
    """Lives in the sync thread; `run` sends batches until nothing is due."""

    #: The SyncResult of the round's last batch.
    finished = Signal(SyncResult)
    enrolled = Signal(Enrollment)
    exported = Signal(bool, str)  # ok, message
    #: New staff photos are on disk (the welcome screen may show one now).
    photosFetched = Signal()

    def __init__(
        self,
        store: Store,
        session: requests.Session | None = None,
        retention_days: int | None = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._session = session
        self._retention_days = retention_days
        self._purged_at = float("-inf")

    @Slot(str, str)
    def enroll(self, server_url: str, code: str) -> None:
        try:
            identity = enroll_device(self._store, server_url, code, session=self._session)
        except (EnrollmentError, StoreError) as exc:
            self.enrolled.emit(Enrollment(error=exc.message))
            return
        self.enrolled.emit(
            Enrollment(
                hall=Place.model_validate(identity["hall"]),
                counter=Place.model_validate(identity["counter"]),
            )
        )
        self.run(True)

    @Slot(str)
    def export(self, folder: str) -> None:
        try:
            path, count = export_bundle(self._store, Path(folder))
        except (OfflineError, StoreError) as exc:
            self.exported.emit(False, str(exc))
            return
        self.exported.emit(True, f"{count} → {path}")

    @Slot(bool)
    def run(self, force: bool) -> None:
        client = client_factory(self._store, self._session)
        if client is None:
            self.finished.emit(SyncResult("unauthorized", error="the device is not enrolled"))
            return
        result = SyncResult("idle")
        for _ in range(MAX_BATCHES_PER_ROUND):
            try:
                result = client.run_once(force=force)
            except Exception as exc:  # a bug or a store failure must not kill the thread
                log.exception("sync round failed")
                result = SyncResult("failed", error=f"{type(exc).__name__}: {exc}")
                break
            force = False
            if result.state != "delivered":
                break
        self._keep_retention()
        if result.state in ("delivered", "idle"):
            try:
                if StaffPhotos.beside(self._store).fetch_missing(self._store, self._session):
                    self.photosFetched.emit()
            except (OSError, StoreError) as exc:
                log.warning("staff photos not fetched: %s", exc)
        self.finished.emit(result)

    def _keep_retention(self) -> None:
        """At most once an hour, delete what the server confirmed longer ago than the
        retention period (kiosk.store.Store.purge_confirmed)."""
        if self._retention_days is None or time.monotonic() - self._purged_at < PURGE_EVERY_S:
            return
        self._purged_at = time.monotonic()
        try:
            self._store.purge_confirmed(datetime.now(UTC) - timedelta(days=self._retention_days))
        except StoreError:
            log.exception("retention pass failed; it is tried again in an hour")


class SyncController(QObject):
    """Owned by the GUI thread: timers, the thread, and the signal the UI listens to."""

    finished = Signal(SyncResult)
    enrolled = Signal(Enrollment)
    exported = Signal(bool, str)  # ok, message
    photosFetched = Signal()
    _request = Signal(bool)
    _enroll = Signal(str, str)
    _export = Signal(str)

    def __init__(
        self,
        store: Store,
        *,
        session: requests.Session | None = None,
        interval_ms: int = 30_000,
        debounce_ms: int = 2_000,
        retention_days: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._thread = QThread()
        self._thread.setObjectName("hallrate-sync")
        self._worker = SyncWorker(store, session, retention_days)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._enroll.connect(self._worker.enroll)
        self._export.connect(self._worker.export)
        self._worker.finished.connect(self.finished)
        self._worker.enrolled.connect(self.enrolled)
        self._worker.exported.connect(self.exported)
        self._worker.photosFetched.connect(self.photosFetched)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(lambda: self._request.emit(False))
        self._periodic = QTimer(self)
        self._periodic.setInterval(interval_ms)
        self._periodic.timeout.connect(lambda: self._request.emit(False))

    def start(self) -> None:
        self._thread.start()
        self._periodic.start()
        self._request.emit(False)

    def rating_recorded(self) -> None:
        """A rating was just stored: sync soon, once, however many follow quickly."""
        self._debounce.start()

    def sync_now(self) -> None:
        """The admin asked: send now, whatever the backoff says."""
        self._request.emit(True)

    def enroll(self, server_url: str, code: str) -> None:
        self._enroll.emit(server_url, code)

    def export(self, folder: str) -> None:
        self._export.emit(folder)

    def status(self) -> SyncStatus:
        """Delivery as the store knows it now, for the admin screen."""
        return sync_status(self._store)

    def stop(self) -> None:
        self._periodic.stop()
        self._debounce.stop()
        self._thread.quit()
        self._thread.wait(10_000)
