"""`/api/v1/alerts…`: list, read and work alerts (supervisors own hall, auditors read)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from server.alerts import chain, repository, service
from server.alerts.schemas import (
    AlertAction,
    AlertAssign,
    AlertDetail,
    AlertEventOut,
    AlertOut,
    AlertRatingOut,
    AlertReply,
    BreachForecast,
    ContactOut,
    RevealedContact,
)
from server.database import SessionDep
from server.models import SCORE_SCALE, Alert, AlertCause, Rating
from server.privacy import contacts
from server.privacy.masking import mask_personal_numbers
from server.settings import Settings
from server.users.dependencies import CurrentUser, CurrentWriter
from sync.protocol import AlertKind, AlertState, ErrorBody
from sync.scoring import DIMENSION_CODES

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
}


def _out(alert: Alert, hall_id: str) -> AlertOut:
    return AlertOut(
        id=alert.id,
        kind=alert.kind,
        hall_id=hall_id,
        counter_id=alert.counter_id,
        rating_id=alert.rating_id,
        period=alert.period,
        state=alert.state,
        created_at=alert.created_at,
        due_at=alert.due_at,
        escalated=alert.escalated,
        escalated_at=alert.escalated_at,
        acknowledged_at=alert.acknowledged_at,
        called_back_at=alert.called_back_at,
        rectified_at=alert.rectified_at,
        closed_at=alert.closed_at,
        public_reply=alert.public_reply,
        public_reply_at=alert.public_reply_at,
        assignee_id=alert.assignee_id,
        cause=alert.cause,
        learned_at=alert.created_at,
        rating_made_at=alert.rating_made_at,
        learn_delay_s=alert.learn_delay_s,
        stage_due={k: datetime.fromisoformat(v) for k, v in (alert.stage_due or {}).items()},
        escalation_level=alert.escalation_level,
        escalated_to=chain.LEVEL_NAMES.get(alert.escalation_level),
        level_due_at=alert.level_due_at,
        citizen_satisfied=alert.citizen_satisfied,
        citizen_feedback_at=alert.citizen_feedback_at,
    )


def _detail(session: Session, alert: Alert, hall_id: str) -> AlertDetail:
    rating_out = None
    if alert.rating_id is not None:
        rating = session.get(Rating, alert.rating_id)
        if rating is not None:
            rating_out = AlertRatingOut(
                id=rating.id,
                occurred_at=rating.occurred_at,
                staff_id=rating.staff_id,
                weighted_score=rating.weighted_score / SCORE_SCALE,
                level=rating.level,
                scores={code: getattr(rating, code) for code in DIMENSION_CODES},
                reasons=list(rating.reasons),
                comment=mask_personal_numbers(rating.comment),
            )
    events = [
        AlertEventOut(action=e.action, note=e.note, user_id=e.user_id, at=e.at, detail=e.detail)
        for e in repository.events_of(session, alert.id)
    ]
    contact = contacts.contact_of(session, alert)
    contact_out = (
        ContactOut(
            phone_masked=contact.phone_masked,
            given_at=contact.created_at,
            consent_text=contact.consent_text,
        )
        if contact is not None
        else None
    )
    return AlertDetail(
        **_out(alert, hall_id).model_dump(), events=events, rating=rating_out, contact=contact_out
    )


@router.get("", responses=_ERRORS)
def list_alerts(
    session: SessionDep,
    user: CurrentUser,
    state: AlertState | None = None,
    kind: AlertKind | None = None,
    counter_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    escalated: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AlertOut]:
    """Alerts the user may see, soonest due first."""
    rows = repository.search(
        session,
        hall_id=service.visible_hall(user),
        counter_id=counter_id,
        state=state,
        kind=kind,
        escalated=escalated,
        limit=limit,
        offset=offset,
    )
    return [_out(alert, hall) for alert, hall in rows]


@router.get("/forecast", responses=_ERRORS)
def forecast(
    session: SessionDep,
    user: CurrentUser,
    hours: Annotated[float, Query(gt=0, le=24 * 31)] = 24,
) -> list[BreachForecast]:
    """Open alerts that will miss their current deadline within `hours`, soonest first."""
    return chain.forecast_breaches(
        session, datetime.now(UTC), hours, hall_id=service.visible_hall(user)
    )


@router.get("/{alert_id}", responses=_ERRORS)
def get_alert(alert_id: AlertId, session: SessionDep, user: CurrentUser) -> AlertDetail:
    alert, hall = service.get_visible(session, user, alert_id)
    return _detail(session, alert, hall)


def _act(
    session: Session, user: CurrentWriter, alert_id: int, action: str, body: AlertAction
) -> AlertDetail:
    alert, hall = service.act(
        session,
        user,
        alert_id,
        action,
        body.note,
        datetime.now(UTC),
        reached=body.reached,
        cause=AlertCause(body.cause) if body.cause is not None else None,
    )
    return _detail(session, alert, hall)


_ACT_ERRORS = {
    **_ERRORS,
    409: {"model": ErrorBody, "description": "not allowed in this state"},
    422: {"model": ErrorBody, "description": "empty note, no call-back outcome or no cause"},
}


@router.post("/{alert_id}/acknowledge", responses=_ACT_ERRORS)
def acknowledge(
    alert_id: AlertId, body: AlertAction, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """open -> acknowledged: someone has taken the alert on."""
    return _act(session, user, alert_id, "acknowledge", body)


@router.post("/{alert_id}/call-back", responses=_ACT_ERRORS)
def call_back(
    alert_id: AlertId, body: AlertAction, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """acknowledged -> called_back: the citizen was called back (note: who was called and
    what was said; `reached`: whether they answered)."""
    return _act(session, user, alert_id, "call-back", body)


@router.post("/{alert_id}/rectify", responses=_ACT_ERRORS)
def rectify(
    alert_id: AlertId, body: AlertAction, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """acknowledged or called_back -> rectified: the cause was fixed (note: how)."""
    return _act(session, user, alert_id, "rectify", body)


@router.post("/{alert_id}/close", responses=_ACT_ERRORS)
def close(
    alert_id: AlertId, body: AlertAction, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """rectified -> closed: the result is recorded with the cause class of the low score
    (GB/T 39734) and the alert answered."""
    return _act(session, user, alert_id, "close", body)


@router.post("/{alert_id}/assign", responses=_ACT_ERRORS)
def assign(
    alert_id: AlertId, body: AlertAssign, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """Give the alert to a person who may work the hall's alerts (note: what to do)."""
    alert, hall = service.assign(
        session, user, alert_id, body.assignee_id, body.note, datetime.now(UTC)
    )
    return _detail(session, alert, hall)


@router.post("/{alert_id}/reply", responses=_ACT_ERRORS)
def reply(
    alert_id: AlertId, body: AlertReply, session: SessionDep, user: CurrentWriter
) -> AlertDetail:
    """Publish the reply the citizen reads on the rating's receipt page (整改结果反馈)."""
    alert, hall = service.publish_reply(session, user, alert_id, body.reply, datetime.now(UTC))
    return _detail(session, alert, hall)


@router.post("/{alert_id}/contact/reveal", responses=_ACT_ERRORS)
def reveal_contact(
    alert_id: AlertId, request: Request, session: SessionDep, user: CurrentWriter
) -> RevealedContact:
    """The citizen's phone number for a call-back: the hall's supervisor or manager only,
    and recorded on the alert (`reveal_contact`)."""
    settings: Settings = request.app.state.settings
    alert, hall = service.get_visible(session, user, alert_id)
    phone, masked = contacts.reveal(session, settings, user, alert, hall, datetime.now(UTC))
    return RevealedContact(phone=phone, phone_masked=masked)
