"""Put the console into the FastAPI app: its routers, its static files and its error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from server.console.admin_pages import router as admin_router
from server.console.alert_pages import router as alerts_router
from server.console.audit_pages import router as audit_router
from server.console.endpoints import router as home_router
from server.console.insight_pages import router as insight_router
from server.console.kiosk_pages import router as kiosks_router
from server.console.month_pages import router as month_router
from server.console.notify_pages import router as notify_router
from server.console.web import STATIC, install_console_handlers


def install(app: FastAPI) -> None:
    """Add the console's routes (after the API's) and error pages (after the API's)."""
    for router in (
        home_router,
        alerts_router,
        kiosks_router,
        notify_router,
        admin_router,
        audit_router,
        insight_router,
        month_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_console_handlers(app)
