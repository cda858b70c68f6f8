"""`GET /healthz` and `GET /metrics`."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from server import metrics
from server.errors import Forbidden, Unavailable
from server.ratelimit import client_address
from server.settings import Settings

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    """200 when the server can reach its database."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means unhealthy
        raise Unavailable(f"database unreachable ({type(exc).__name__})", 5) from exc
    return {"status": "ok"}


def may_read_metrics(settings: Settings, address: str) -> bool:
    """Whether a client at `address` may read /metrics (`HALLRATE_METRICS_ALLOW`)."""
    if "*" in (item.strip() for item in settings.metrics_allow.split(",")):
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.metrics_networks)


@router.get("/metrics", response_class=Response, responses={403: {"description": "not allowed"}})
def prometheus_metrics(request: Request) -> Response:
    """Prometheus metrics, for the addresses in HALLRATE_METRICS_ALLOW (loopback by default):
    request counts by route and status tell an outsider more than they should."""
    if not may_read_metrics(request.app.state.settings, client_address(request)):
        raise Forbidden("metrics are served to the addresses in HALLRATE_METRICS_ALLOW only")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
