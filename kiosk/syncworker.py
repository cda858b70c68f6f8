"""The kiosk's sync loop: `SyncClient.run_once()` in a worker thread, reported by signals.

The loop runs 2 s after each rating (debounced), every 30 s, and on demand from the admin
screen. It drains the queue while batches go through, one uploader at a time, and never
touches widgets: the GUI learns what happened from `finished`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from sync.client import SyncClient, SyncResult

log = logging.getLogger(__name__)

#: Batches sent in one go before the worker yields, so a 200,000-rating catch-up still
#: lets a rating-triggered or admin request through between rounds.
MAX_BATCHES_PER_ROUND = 50


class SyncWorker(QObject):
    """Lives in the sync thread; `run` sends batches until nothing is due."""

    finished = Signal(object)  # SyncResult of the round's last batch

    def __init__(self, client_factory: Callable[[], SyncClient | None]) -> None:
        super().__init__()
        self._client_factory = client_factory

    @Slot(bool)
    def run(self, force: bool) -> None:
        client = self._client_factory()
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
        self.finished.emit(result)


class SyncController(QObject):
    """Owned by the GUI thread: timers, the thread, and the signal the UI listens to."""

    finished = Signal(object)  # SyncResult
    _request = Signal(bool)

    def __init__(
        self,
        client_factory: Callable[[], SyncClient | None],
        *,
        interval_ms: int = 30_000,
        debounce_ms: int = 2_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("hallrate-sync")
        self._worker = SyncWorker(client_factory)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.finished.connect(self.finished)
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

    def stop(self) -> None:
        self._periodic.stop()
        self._debounce.stop()
        self._thread.quit()
        self._thread.wait(10_000)
