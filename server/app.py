"""The FastAPI application: routers, error handlers, body limits, metrics, the escalation job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from sqlalchemy import Engine

from server import apidocs, escalation
from server.alerts.endpoints import router as alerts_router
from server.alerts.profile_endpoints import router as profiles_router
from server.bodylimit import BodyLimitMiddleware
from server.console.install import install as install_console
from server.database import make_engine, make_session_factory
from server.devices.endpoints import router as devices_router
from server.devices.staff_photos import router as staff_router
from server.enrollment.endpoints import router as enroll_router
from server.errors import install_error_handlers
from server.health import router as health_router
from server.ingest.endpoints import IngestGate
from server.ingest.endpoints import router as ingest_router
from server.ingest.schemas import SyncRequestDocument
from server.metrics import LatencyMiddleware
from server.mobile.endpoints import router as mobile_router
from server.months import schedule as month_schedule
from server.notify import delivery
from server.notify.endpoints import router as notify_router
from server.privacy import retention
from server.ratelimit import DatabaseLimit, SlidingWindowLimit
from server.scores.endpoints import router as scores_router
from server.settings import Settings
from server.users import service as users_service
from server.users.endpoints import router as users_router
from sync.protocol import MAX_BATCH_BYTES, PROTOCOL_VERSION

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    run_escalation: bool = True,
) -> FastAPI:
    # Refuses (SettingsError) to build an app that would sign with no real secret.
    settings = (settings or Settings()).with_secret_read()
    engine = engine or make_engine(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if run_escalation:
            tasks.append(
                asyncio.create_task(
                    escalation.run_forever(
                        app.state.session_factory, settings.escalation_interval_s, settings
                    )
                )
            )
            tasks.append(
                asyncio.create_task(delivery.run_forever(app.state.session_factory, settings))
            )
            tasks.append(
                asyncio.create_task(retention.run_forever(app.state.session_factory, settings))
            )
            tasks.append(
                asyncio.create_task(month_schedule.run_forever(app.state.session_factory, settings))
            )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="hallrate server",
        version=f"protocol {PROTOCOL_VERSION}",
        description="Central scoring server: device enrollment and sync (protocol v1), "
        "counter scores, low-score alerts.",
        lifespan=lifespan,
        # Served by server/apidocs from vendored files instead (no CDN in a hall).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.enroll_failures = DatabaseLimit("enroll", settings.enroll_failures_per_minute, 60)
    app.state.login_failures = DatabaseLimit("login", settings.enroll_failures_per_minute, 60)
    app.state.hashing_gate = users_service.gate_for(settings)
    app.state.device_syncs = SlidingWindowLimit(
        max(1, round(settings.device_syncs_per_second)), 1.0
    )
    app.state.ingest_gate = IngestGate(settings.max_concurrent_ingests * 4)
    #: Receipt look-ups of unknown codes one client address may make per minute.
    app.state.receipt_lookups = DatabaseLimit("receipt", 30, 60)

    for router in (
        health_router,
        enroll_router,
        ingest_router,
        users_router,
        alerts_router,
        scores_router,
        devices_router,
        mobile_router,
        staff_router,
        notify_router,
        profiles_router,
    ):
        app.include_router(router)
    apidocs.install(app)
    install_error_handlers(app, settings.retry_after_s)
    install_console(app)
    # Outermost last: latency covers everything, the body limit runs before any parsing.
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BATCH_BYTES)
    # A sync answer names every rating of the batch; over a rural link it is most of the
    # bytes, and it compresses about tenfold.
    # Level 6 (zlib's default) rather than Starlette's 9: as small within 2%, and faster.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(LatencyMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document, plus the sync body (read by hand, so not generated)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    _, defs = models_json_schema(
        [(SyncRequestDocument, "validation")], ref_template="#/components/schemas/{model}"
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(defs.get("$defs", {}))
    schema["paths"]["/api/v1/sync"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/SyncRequestDocument"}}
        },
    }
    app.openapi_schema = schema
    return schema
