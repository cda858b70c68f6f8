"""The Notifications page: which alerts will miss their deadline next, what was sent to
whom and whether it arrived, the channels that tell the hall's people, and the hall's alert
profile (stages, escalation chain, closures, surge rule).

Everyone signed in reads it for the halls they may see; only administrators add or remove
a channel or change a profile, and each change is audit-logged (a channel's URL only
without its secrets)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from server.alerts import chain, profiles
from server.audit import service as audit
from server.console import access
from server.console.web import (
    ConsoleAdmin,
    ConsoleForm,
    ConsoleUser,
    PageError,
    console_router,
    redirect,
    render,
    say,
    settings_of,
)
from server.content.service import scoring_in_force
from server.database import SessionDep
from server.models import Hall, OutboxState, Role, User
from server.notify import service
from server.problems import Phrase, Problem, phrase

router = console_router()

HallQuery = Annotated[str | None, Query(max_length=64)]
StateQuery = Annotated[str | None, Query(max_length=16)]
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: How far ahead the page looks for alerts that will miss their deadline.
FORECAST_HOURS = 24
#: Rows of the delivery list on one page.
DELIVERY_ROWS = 25
STAGES = ("acknowledge", "call_back", "rectify", "close")
LEVELS = ("manager", "inspector")
UNITS = ("hours", "working_days")


def _page(
    request: Request,
    db: Session,
    user: User,
    hall: Hall,
    *,
    state: OutboxState | None = None,
    page: int = 1,
    problem: str | None = None,
    form: dict[str, str] | None = None,
    saved: bool = False,
) -> Response:
    now = datetime.now(UTC)
    profile, _calendar = profiles.clock_of_hall(
        db, hall.id, scoring_in_force(db, settings_of(request))
    )
    is_admin = user.role == Role.ADMIN
    return render(
        request,
        "notifications.html",
        {
            "hall": hall,
            "halls": access.halls_for_user(db, user),
            "forecast": chain.forecast_breaches(db, now, FORECAST_HOURS, hall_id=hall.id),
            "forecast_hours": FORECAST_HOURS,
            "deliveries": service.outbox(
                db,
                hall_id=hall.id,
                state=state,
                limit=DELIVERY_ROWS + 1,
                offset=(page - 1) * DELIVERY_ROWS,
            ),
            "per_page": DELIVERY_ROWS,
            "page": page,
            "counts": service.outbox_counts(db, hall.id),
            "state": state.value if state else "",
            "states": [s.value for s in OutboxState],
            "channels": service.channels_of_hall(db, hall.id),
            "redacted": service.redacted,
            "profile": profile,
            "is_admin": is_admin,
            "roles": service.ROLES,
            "stage_names": STAGES,
            "level_names": LEVELS,
            "units": UNITS,
            "problem": problem,
            "form": form or {},
            "saved": saved,
        },
        status=200 if problem is None else 400,
    )


@router.get("/notifications")
def notifications(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: HallQuery = None,
    state: StateQuery = None,
    saved: Annotated[str | None, Query(max_length=1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    shown = OutboxState(state) if state in {s.value for s in OutboxState} else None
    return _page(
        request,
        db,
        user,
        access.hall_for_user(db, user, hall),
        state=shown,
        page=page,
        saved=bool(saved),
    )


def _back(hall: Hall) -> str:
    return f"/notifications?hall={hall.id}&saved=1"


@router.post("/notifications/channels")
def add_channel(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm
) -> Response:
    hall = access.hall_for_user(db, user, form.text("hall")[:64])
    now = datetime.now(UTC)
    try:
        channel = service.add_channel(
            db,
            url=form.text("url"),
            role=form.text("role"),
            hall_id=None if form.get("scope") == "all" else hall.id,
            label=form.text("label")[:200],
            quiet=form.text("quiet") or None,
            digest=form.get("digest") == "on",
            now=now,
        )
    except service.ChannelError as exc:
        # What was typed stays, except the URL, which may hold a password.
        kept = {k: form.text(k) for k in ("role", "label", "quiet", "scope")}
        return _page(request, db, user, hall, problem=say(request, exc), form=kept)
    audit.record(
        db,
        user=user,
        action="notify.channel.add",
        at=now,
        object_type="channel",
        object_id=channel.id,
        hall_id=channel.hall_id,
        after=service.snapshot(channel),
    )
    return redirect(request, _back(hall))


@router.post("/notifications/channels/{channel_id}/remove")
def remove_channel(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, channel_id: ChannelId
) -> Response:
    hall = access.hall_for_user(db, user, form.text("hall")[:64])
    found = [c for c in service.channels_of_hall(db, hall.id) if c.id == channel_id]
    if not found:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    before = service.snapshot(found[0])
    service.remove_channel(db, channel_id)
    audit.record(
        db,
        user=user,
        action="notify.channel.remove",
        at=datetime.now(UTC),
        object_type="channel",
        object_id=channel_id,
        hall_id=found[0].hall_id,
        before=before,
        after=service.snapshot(found[0]),
    )
    return redirect(request, _back(hall))


class _Unreadable(Problem):
    """A profile form field that is not what it should be; the message says which."""


def _amount(form: dict[str, str], name: str, label: Phrase) -> Decimal:
    try:
        value = Decimal(form.get(name, "").strip().replace(",", "."))
    except InvalidOperation:
        raise _Unreadable("{field}: not a number", field=label) from None
    if not value.is_finite():
        raise _Unreadable("{field}: not a number", field=label)
    return value


def _span(form: dict[str, str], prefix: str, label: Phrase) -> dict[str, Any]:
    unit = form.get(f"{prefix}_unit", "hours")
    if unit not in UNITS:
        raise _Unreadable("{field}: unknown unit", field=label)
    return {"amount": str(_amount(form, f"{prefix}_amount", label)), "unit": unit}


def _closures(text: str) -> list[str]:
    days = []
    for word in text.replace(",", " ").split():
        try:
            days.append(date.fromisoformat(word).isoformat())
        except ValueError:
            raise _Unreadable("closure {day!r} is not a date (YYYY-MM-DD)", day=word[:20]) from None
    return sorted(set(days))


def profile_document(form: dict[str, str]) -> dict[str, Any]:
    """The profile document (server/alerts/deadlines.py `AlertProfile`) a form describes;
    an escalation level with an empty amount is left out of the chain."""
    stages = [
        {"stage": s, "within": _span(form, f"stage_{s}", phrase(f"stage_{s}"))} for s in STAGES
    ]
    escalation = [
        {"role": level, "within": _span(form, f"esc_{level}", phrase(level))}
        for level in LEVELS
        if form.get(f"esc_{level}_amount", "").strip()
    ]
    window = _amount(form, "surge_window", phrase("Within (minutes)"))
    least = _amount(form, "surge_min", phrase("Of at least (ratings)"))
    if window != window.to_integral_value() or least != least.to_integral_value():
        raise _Unreadable("the surge window and minimum are whole numbers")
    return {
        "stages": stages,
        "escalation": escalation,
        "closures": _closures(form.get("closures", "")),
        "surge": {
            "enabled": form.get("surge_enabled") == "on",
            "window_minutes": int(window),
            "min_ratings": int(least),
            "low_share": str(
                _amount(form, "surge_share", phrase("Share of low scores, per cent")) / 100
            ),
        },
        "warn_hours": str(_amount(form, "warn_hours", phrase("Warned before a deadline (hours)"))),
    }


@router.post("/notifications/profile")
def change_profile(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm
) -> Response:
    hall = access.hall_for_user(db, user, form.text("hall")[:64])
    config = scoring_in_force(db, settings_of(request))
    before = profiles.profile_for(db, hall.id, config).model_dump(mode="json")
    now = datetime.now(UTC)
    try:
        stored = profiles.store_profile(db, hall.id, profile_document(form), now)
    except (_Unreadable, profiles.ProfileError) as exc:
        return _page(request, db, user, hall, problem=say(request, exc), form=dict(form))
    audit.record(
        db,
        user=user,
        action="notify.profile",
        at=now,
        object_type="hall",
        object_id=hall.id,
        hall_id=hall.id,
        before=before,
        after=stored.model_dump(mode="json"),
    )
    return redirect(request, _back(hall))
