"""`GET /healthz` and `GET /metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from server import metrics
from server.errors import Unavailable

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


@router.get("/metrics", response_class=Response)
def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
