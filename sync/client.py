"""The uploader: outbox -> batches -> server, with retry. Plain Python and requests; no Qt.

One `run_once()` sends at most one batch. Items are marked in flight *before* the POST and
delivered only when a 200 answer is our JSON, names our batch and names the item; anything
else puts them back to pending. Retry is decided in one place (`classify`), and the time of
the next attempt is stored with the outbox so that backoff survives a restart.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import requests
import urllib3
from pydantic import ValidationError

from sync import protocol

log = logging.getLogger(__name__)

#: Outbox items in one batch at most (the server takes up to protocol.MAX_BATCH_RATINGS).
MAX_ITEMS = 500
#: Uncompressed outbox payload taken for one batch at most: half the server's whole-request
#: limit, so the envelope and any growth fit.
MAX_PAYLOAD_BYTES = protocol.MAX_BATCH_BYTES // 2
#: A gzipped request body at most; a larger one is halved before it is sent.
MAX_GZIP_BYTES = 256 * 1024
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0
#: A server's Retry-After is obeyed up to this, so a bad header cannot park a kiosk for days.
RETRY_AFTER_CAP_S = 3600.0
#: With nothing to send, ask the server for fresh scores and alerts this often.
REFRESH_S = 60.0

# Settings keys under which the sync state lives in the device's store.
NEXT_ATTEMPT = "sync.next_attempt_ts"
FAILURES = "sync.failures"
BATCH_LIMIT = "sync.batch_limit"
LAST_SUCCESS = "sync.last_success_ts"
LAST_ERROR = "sync.last_error"
UNAUTHORIZED = "sync.unauthorized"
#: The `config` block of the last sync answer (scoring, QR addresses, phone grant).
SERVER_CONFIG = "server.config"


OutboxState = Literal["pending", "in_flight", "delivered", "dead"]

#: What a per-item result from the server (a sync answer or a USB receipt) makes of the
#: item in the outbox: delivered, or kept as a dead letter with the reason.
RESULT_STATES: Mapping[str, OutboxState] = {  # keyed by protocol.Result
    "accepted": "delivered",
    "duplicate": "delivered",
    "conflict": "dead",
    "rejected": "dead",
}


@dataclass(frozen=True)
class Verdicts:
    """The server's per-item results sorted by what they do to the outbox."""

    delivered: list[str]
    #: (item id, the note kept with the dead letter)
    dead: list[tuple[str, str]]
    #: Sent but not named in the answer: back to pending.
    absent: list[str]

    def moves(self) -> list[tuple[list[str], OutboxState, str | None]]:
        moves: list[tuple[list[str], OutboxState, str | None]] = [
            (self.delivered, "delivered", None),
            (self.absent, "pending", None),
        ]
        moves.extend(([item_id], "dead", note) for item_id, note in self.dead)
        return moves


def sort_results(
    ids: Iterable[str], results: Mapping[str, str], errors: Mapping[str, str]
) -> Verdicts:
    """The one reading of an answer's `results` and `errors` for the items `ids`.

    An item the answer does not name (or names with a result this client does not know)
    stays to be sent again: the server deduplicates by id.
    """
    verdicts = Verdicts([], [], [])
    for item_id in ids:
        result = results.get(item_id, "")
        state = RESULT_STATES.get(result)
        if state is None:
            verdicts.absent.append(item_id)
        elif state == "delivered":
            verdicts.delivered.append(item_id)
        else:
            note = f"{result}: {errors.get(item_id, '')}".strip(": ")
            verdicts.dead.append((item_id, note))
    return verdicts


@dataclass(frozen=True)
class ServerState:
    """The counter's scores and open alerts as one sync answer gave them."""

    counter_scores: protocol.CounterScores | None
    alerts: Sequence[protocol.Alert]
    counter_id: str
    received_ts: float


@dataclass(frozen=True)
class OutboxUpdate:
    """What one answer (or one failure) changes in the device's store, applied at once."""

    #: (item ids, new state, error to note) in order.
    moves: list[tuple[list[str], OutboxState, str | None]] = field(default_factory=list)
    server_state: ServerState | None = None
    settings: dict[str, Any] = field(default_factory=dict)


class Outbox(Protocol):
    """What the client needs of the device's store (kiosk.store.Store provides it)."""

    def pending_outbox(self, max_items: int = ..., max_bytes: int = ...) -> Sequence[Any]: ...

    def mark_outbox(
        self,
        item_ids: Sequence[str],
        state: OutboxState,
        *,
        batch_id: str | None = ...,
        error: str | None = ...,
    ) -> int: ...

    def apply_sync(self, update: OutboxUpdate) -> None: ...

    def pending_count(self) -> int: ...

    def first_waiting_rating_time(self, after_position: int) -> str | None: ...

    def get_setting(self, key: str, default: Any = ...) -> Any: ...


Verdict = Literal["retry", "split", "unauthorized", "refused"]


def classify(status: int | None) -> Verdict:
    """What to do after a failed request: the one place retry is decided.

    Network errors and timeouts (None), 408, 429 and 5xx are retried with backoff; 413
    splits the batch; 401 stops until the device is enrolled again; any other answer
    refuses the batch (it would fail the same way again).
    """
    if status is None or status in (408, 429) or status >= 500:
        return "retry"
    if status == 413:
        return "split"
    if status == 401:
        return "unauthorized"
    if 200 <= status < 300:
        return "retry"  # a 2xx that is not our answer (a captive portal): try again later
    return "refused"


def backoff_delay(failures: int, retry_after_s: float | None, rng: Callable[[], float]) -> float:
    """Full jitter: uniform in [0, min(cap, base x 2^n)], never below Retry-After."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(failures, 30))
    delay = rng() * ceiling
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, RETRY_AFTER_CAP_S))
    return delay


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class SyncResult:
    """What one run_once() did, for the UI and the logs."""

    state: Literal["idle", "waiting", "delivered", "failed", "unauthorized"]
    sent: int = 0
    delivered: int = 0
    dead: int = 0
    requeued: int = 0
    status: int | None = None
    error: str | None = None
    next_attempt_ts: float | None = None


@dataclass(frozen=True)
class Device:
    """The enrolled identity the client syncs as."""

    server_url: str
    token: str
    counter_id: str
    app_version: str


class SyncClient:
    """Sends the outbox to the server, one batch per `run_once()`. One uploader at a time."""

    def __init__(
        self,
        outbox: Outbox,
        device: Device,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        timeout: tuple[float, float] = (5.0, 30.0),
        deadline_s: float = 120.0,
    ) -> None:
        self.outbox = outbox
        self.deadline_s = deadline_s
        self.device = device
        self.http = session or requests.Session()
        self.clock = clock
        self.rng = rng
        self.timeout = timeout

    @property
    def url(self) -> str:
        return self.device.server_url.rstrip("/") + "/api/v1/sync"

    def run_once(self, *, force: bool = False) -> SyncResult:
        """Send one batch if one is due (or `force`d), and apply the answer.

        With nothing pending, an empty batch still goes once a minute: its answer carries
        the counter's current scores and open alerts.
        """
        now = self.clock()
        if self.outbox.get_setting(UNAUTHORIZED, False):
            return SyncResult("unauthorized", error="the device must be enrolled again")
        next_attempt = self.outbox.get_setting(NEXT_ATTEMPT)
        if not force and next_attempt is not None and now < float(next_attempt):
            return SyncResult("waiting", next_attempt_ts=float(next_attempt))
        limit = int(self.outbox.get_setting(BATCH_LIMIT, MAX_ITEMS))
        entries = list(self.outbox.pending_outbox(max_items=limit, max_bytes=MAX_PAYLOAD_BYTES))
        if not entries:
            last = self.outbox.get_setting(LAST_SUCCESS)
            if last is not None and now - float(last) < REFRESH_S:
                return SyncResult("idle")
            # Nothing to send, but the counter's scores and alerts are getting old: an
            # empty batch asks for them.
        batch_id = str(uuid.uuid4())
        body, entries = self._body(batch_id, entries, self.outbox.pending_count())
        ids = [e.item_id for e in entries]
        # In flight before the POST: a crash from here on leaves them for requeue at start-up.
        self.outbox.mark_outbox(ids, "in_flight", batch_id=batch_id)
        try:
            response = self.http.post(
                self.url,
                data=body,
                headers={
                    "Authorization": f"Bearer {self.device.token}",
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                },
                timeout=self.timeout,
                stream=True,
            )
            content = self._read_within_deadline(response, time.monotonic() + self.deadline_s)
        except (requests.RequestException, urllib3.exceptions.HTTPError, TimeoutError) as exc:
            return self._failed(ids, None, f"network: {type(exc).__name__}", None)
        return self._answer(batch_id, ids, response, content)

    @staticmethod
    def _read_within_deadline(response: requests.Response, deadline: float) -> bytes:
        """The whole body, or TimeoutError: a trickle of bytes must not hold the uploader.

        requests' read timeout applies to each socket read, so an answer dribbling one byte
        at a time would never time out on its own.
        """
        chunks = []
        with response:
            while True:
                # read1 returns what has arrived instead of waiting to fill the buffer
                chunk = response.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("the answer took too long")
        return b"".join(chunks)

    # -- building the request -------------------------------------------------------------

    def _body(self, batch_id: str, entries: list[Any], queue_depth: int) -> tuple[bytes, list[Any]]:
        """The gzipped request, halving the batch until it fits MAX_GZIP_BYTES."""
        while True:
            envelope: dict[str, Any] = {
                "protocol": protocol.PROTOCOL_VERSION,
                "batch_id": batch_id,
                "device_time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
                "queue_depth": queue_depth,
                "app_version": self.device.app_version,
            }
            # Fleet health: how long the first rating this batch leaves behind has waited.
            oldest = self.outbox.first_waiting_rating_time(entries[-1].position if entries else 0)
            if oldest is not None:
                envelope["oldest_pending_at"] = oldest
            head = json.dumps(envelope)
            # The stored payloads are already protocol JSON: splice them in, no re-encoding.
            ratings = ",".join(e.payload for e in entries if e.kind == "rating")
            sessions = ",".join(e.payload for e in entries if e.kind == "session")
            text = f'{head[:-1]},"ratings":[{ratings}],"sessions":[{sessions}]}}'
            body = gzip.compress(text.encode(), compresslevel=6)
            if len(body) <= MAX_GZIP_BYTES or len(entries) <= 1:
                return body, entries
            entries = entries[: len(entries) // 2]

    # -- applying the answer ----------------------------------------------------------------

    def _answer(
        self, batch_id: str, ids: list[str], response: requests.Response, content: bytes
    ) -> SyncResult:
        status = response.status_code
        if status != 200:
            return self._failed(
                ids,
                status,
                _error_text(status, content),
                parse_retry_after(response.headers.get("Retry-After"), self.clock()),
            )
        try:
            answer = protocol.SyncResponse.model_validate_json(content)
        except ValidationError:
            return self._failed(ids, status, "the answer was not a sync answer", None)
        if answer.batch_id != batch_id:
            return self._failed(ids, status, "the answer named another batch", None)

        verdicts = sort_results(ids, answer.results, answer.errors)
        update = OutboxUpdate(
            moves=verdicts.moves(),
            server_state=ServerState(
                answer.counter_scores, answer.alerts, self.device.counter_id, self.clock()
            ),
            settings={FAILURES: 0, NEXT_ATTEMPT: None, LAST_SUCCESS: self.clock()},
        )
        if answer.config:
            update.settings[SERVER_CONFIG] = answer.config
        self.outbox.apply_sync(update)
        log.info(
            "sync batch %s: %d delivered, %d dead, %d absent",
            batch_id,
            len(verdicts.delivered),
            len(verdicts.dead),
            len(verdicts.absent),
        )
        return SyncResult(
            "delivered",
            sent=len(ids),
            delivered=len(verdicts.delivered),
            dead=len(verdicts.dead),
            requeued=len(verdicts.absent),
            status=status,
        )

    def _failed(
        self, ids: list[str], status: int | None, error: str, retry_after: float | None
    ) -> SyncResult:
        verdict = classify(status)
        now = self.clock()
        update = OutboxUpdate(settings={LAST_ERROR: {"ts": now, "status": status, "error": error}})
        if verdict == "refused" or (verdict == "split" and len(ids) == 1):
            note = (
                f"server refused the batch: {error}"
                if verdict == "refused"
                else "too large for the server alone"
            )
            update.moves.append((ids, "dead", note))
            self.outbox.apply_sync(update)
            log.error("sync: batch refused (%s); %d items kept as dead letters", status, len(ids))
            return SyncResult("failed", sent=len(ids), dead=len(ids), status=status, error=error)
        update.moves.append((ids, "pending", None))
        if verdict == "split":
            update.settings[BATCH_LIMIT] = max(1, len(ids) // 2)
            self.outbox.apply_sync(update)
            log.warning("sync: 413 for %d items; batches now at most %d", len(ids), len(ids) // 2)
            return SyncResult(
                "failed", sent=len(ids), requeued=len(ids), status=status, error=error
            )
        if verdict == "unauthorized":
            update.settings[UNAUTHORIZED] = True
            self.outbox.apply_sync(update)
            log.error("sync: 401, the device must be enrolled again")
            return SyncResult("unauthorized", sent=len(ids), requeued=len(ids), status=status)
        failures = int(self.outbox.get_setting(FAILURES, 0)) + 1
        next_ts = now + backoff_delay(failures - 1, retry_after, self.rng)
        update.settings.update({FAILURES: failures, NEXT_ATTEMPT: next_ts})
        self.outbox.apply_sync(update)
        log.warning(
            "sync: attempt failed (%s, %s); %d items pending, retry in %.1f s",
            status,
            error,
            len(ids),
            next_ts - now,
        )
        return SyncResult(
            "failed",
            sent=len(ids),
            requeued=len(ids),
            status=status,
            error=error,
            next_attempt_ts=next_ts,
        )


def _error_text(status: int, content: bytes) -> str:
    """The server's JSON error message, or the status line; never the body of a stranger."""
    try:
        body = protocol.ErrorBody.model_validate_json(content)
    except ValidationError:
        return f"HTTP {status}"
    return f"{body.error.code}: {body.error.message}"[:200]
