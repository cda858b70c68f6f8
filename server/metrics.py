"""Prometheus metrics: ingest results and request latency.

With several uvicorn workers, `hallrate-server serve` points PROMETHEUS_MULTIPROC_DIR at a
shared folder so that /metrics sums all workers.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RATINGS_RECEIVED = Counter("hallrate_ratings_received", "Ratings received in sync batches")
ITEM_RESULTS = Counter(
    "hallrate_sync_items", "Ratings and sessions by result of their sync", ["result"]
)
ALERTS_ESCALATED = Counter("hallrate_alerts_escalated", "Alerts marked escalated when overdue")
REQUEST_LATENCY = Histogram(
    "hallrate_request_seconds",
    "Request latency by route and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


class LatencyMiddleware:
    """Times every request under its route template (never the raw path: no ids, no
    unbounded label values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_LATENCY.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
