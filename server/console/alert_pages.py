"""The Alerts pages: the queue (with its live rows) and one alert with its workflow forms.
Each step posts a form, goes through server/alerts/service.py (the API's rules), and
redirects back to the alert (POST/redirect/GET); a refused step shows the page again
with the reason and what was typed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from server.alerts import service as alerts
from server.console import access
from server.console import alert_queue as queue_service
from server.console.web import (
    ConsoleForm,
    ConsoleUser,
    ConsoleWriter,
    Form,
    console_router,
    gettext,
    redirect,
    render,
)
from server.database import SessionDep
from server.errors import ApiError
from server.models import AlertCause, User

router = console_router()

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Step = Literal["acknowledge", "call-back", "rectify", "close"]
StateFilter = Annotated[
    str, Query(pattern=r"^(active|all|open|acknowledged|called_back|rectified|closed)$")
]
KindFilter = Annotated[str | None, Query(pattern=r"^(low_score|counter_low_rate)$")]
PeriodFilter = Annotated[queue_service.Period, Query()]
IdFilter = Annotated[str | None, Query(max_length=64)]


def _filters(
    db: Session,
    user: User,
    hall: str | None,
    state: str,
    counter: str | None,
    kind: str | None,
    period: queue_service.Period,
) -> queue_service.Filters:
    # An empty select means "any"; a hall or counter the user may not see is a 404.
    hall = hall or None
    counter = counter or None
    if hall is not None:
        access.hall_for_user(db, user, hall)
    if counter is not None:
        access.counter_for_user(db, user, counter)
    return queue_service.Filters(
        hall_id=hall, state=state, counter_id=counter, kind=kind or None, period=period
    )


def _queue_context(
    request: Request, db: Session, user: User, filters: queue_service.Filters
) -> dict[str, Any]:
    now = datetime.now(UTC)
    rows = queue_service.queue(db, user, filters, now)
    return {
        "rows": rows,
        "filters": filters,
        "query": request.url.query,
        "limit": queue_service.QUEUE_LIMIT,
    }


@router.get("/alerts")
def alert_list(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: IdFilter = None,
    state: StateFilter = "active",
    counter: IdFilter = None,
    kind: KindFilter = None,
    period: PeriodFilter = "all",
) -> Response:
    filters = _filters(db, user, hall, state, counter, kind, period)
    context = _queue_context(request, db, user, filters)
    context.update(
        halls=access.halls_for_user(db, user),
        counters=queue_service.counters_for_filter(db, user, filters.hall_id),
        states=queue_service.STATE_FILTERS,
        kinds=queue_service.KINDS,
        periods=queue_service.PERIODS,
    )
    return render(request, "alerts.html", context)


@router.get("/alerts/rows")
def alert_rows(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: IdFilter = None,
    state: StateFilter = "active",
    counter: IdFilter = None,
    kind: KindFilter = None,
    period: PeriodFilter = "all",
) -> Response:
    """The queue's rows (htmx polls them)."""
    filters = _filters(db, user, hall, state, counter, kind, period)
    return render(request, "partials/alert_rows.html", _queue_context(request, db, user, filters))


def _alert_page(
    request: Request,
    db: Session,
    user: User,
    alert_id: int,
    *,
    status: int = 200,
    problem: str | None = None,
    form: Form | None = None,
    failed_step: str | None = None,
) -> Response:
    alert, hall = access.alert_for_user(db, user, alert_id)
    view = queue_service.alert_view(db, user, alert, hall, datetime.now(UTC))
    return render(
        request,
        "alert.html",
        {
            "view": view,
            "problem": problem,
            "typed": dict(form or {}),
            "failed_step": failed_step,
            "done": request.query_params.get("done"),
        },
        status=status,
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, db: SessionDep, user: ConsoleUser, alert_id: AlertId) -> Response:
    return _alert_page(request, db, user, alert_id)


def _refused(
    request: Request, db: Session, user: User, alert_id: int, exc: ApiError, form: Form, step: str
) -> Response:
    messages = {
        "note_required": "Write down what was done: the note may not be empty.",
        "reached_required": "Say whether the citizen was reached.",
        "cause_required": "Choose the cause of the low score.",
        "bad_assignee": "That person may not work this hall's alerts.",
        "reply_required": "The reply may not be empty.",
        "invalid_transition": "This step is not possible in the alert's present state.",
        "no_citizen": "Only a low-score alert has a citizen to reply to.",
    }
    message = gettext(request, messages.get(exc.code, "Some of what was sent is not valid."))
    return _alert_page(
        request, db, user, alert_id, status=exc.status, problem=message, form=form, failed_step=step
    )


@router.post("/alerts/{alert_id}/step/{step}")
def alert_step(
    request: Request,
    db: SessionDep,
    user: ConsoleWriter,
    form: ConsoleForm,
    alert_id: AlertId,
    step: Step,
) -> Response:
    reached = {"yes": True, "no": False}.get(form.get("reached", ""))
    cause_code = form.get("cause", "")
    cause = AlertCause(cause_code) if cause_code in AlertCause.__members__.values() else None
    try:
        alerts.act(
            db,
            user,
            alert_id,
            step,
            form.get("note", "")[:2000],
            datetime.now(UTC),
            reached=reached,
            cause=cause,
        )
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _refused(request, db, user, alert_id, exc, form, step)
    return redirect(request, f"/alerts/{alert_id}?done={step}")


@router.post("/alerts/{alert_id}/assign")
def alert_assign(
    request: Request, db: SessionDep, user: ConsoleWriter, form: ConsoleForm, alert_id: AlertId
) -> Response:
    try:
        assignee = int(form.get("assignee", "0"))
    except ValueError:
        assignee = 0
    try:
        alerts.assign(db, user, alert_id, assignee, form.get("note", "")[:2000], datetime.now(UTC))
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _refused(request, db, user, alert_id, exc, form, "assign")
    return redirect(request, f"/alerts/{alert_id}?done=assign")


@router.post("/alerts/{alert_id}/reply")
def alert_reply(
    request: Request, db: SessionDep, user: ConsoleWriter, form: ConsoleForm, alert_id: AlertId
) -> Response:
    try:
        alerts.publish_reply(db, user, alert_id, form.get("reply", "")[:1000], datetime.now(UTC))
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _refused(request, db, user, alert_id, exc, form, "reply")
    return redirect(request, f"/alerts/{alert_id}?done=reply")
