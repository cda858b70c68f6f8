"""`GET /api/v1/counters/{counter_id}/scores` for dashboards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request

from server.database import SessionDep
from server.errors import NotFound
from server.halls import repository as halls
from server.models import HALL_ROLES
from server.scores import service
from server.users.dependencies import CurrentUser
from sync.protocol import CounterScores, ErrorBody

router = APIRouter(prefix="/api/v1/counters", tags=["scores"])


@router.get(
    "/{counter_id}/scores",
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def counter_scores(
    counter_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]+$")],
    request: Request,
    session: SessionDep,
    user: CurrentUser,
) -> CounterScores:
    hall = halls.hall_of_counter(session, counter_id)
    if hall is None or (user.role in HALL_ROLES and user.hall_id != hall.id):
        raise NotFound("counter")
    return service.counter_scores(
        session,
        counter_id,
        hall.id,
        hall.timezone,
        datetime.now(UTC),
        request.app.state.settings.scoring,
    )
