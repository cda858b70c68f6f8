"""The console's sign-in, language switch and Today page. Routes are thin: read the
request, call a service function, render a template (partials serve the htmx swaps)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import Response

from server.audit import service as audit
from server.console import access, i18n
from server.console import today as today_service
from server.console.web import (
    ConsoleForm,
    ConsoleUser,
    OptionalUser,
    console_router,
    end_session,
    redirect,
    render,
    safe_next,
    set_language,
    settings_of,
    start_session,
)
from server.content.service import scoring_in_force
from server.database import SessionDep
from server.ratelimit import client_address
from server.scores.indicators import hall_indicator_counts, indicators_of
from server.scores.periods import month_of
from server.scores.service import local_day
from server.users import repository as users_repository
from server.users import service as users

router = console_router()

HallQuery = Annotated[str | None, Query(max_length=64)]
NextQuery = Annotated[str | None, Query(alias="next", max_length=500)]


@router.get("/")
def home(
    request: Request,
    db: SessionDep,
    user: OptionalUser,
    hall: HallQuery = None,
    next_path: NextQuery = None,
) -> Response:
    """Today when signed in, else the sign-in page."""
    if user is None:
        return render(request, "login.html", {"next": safe_next(next_path), "error": None})
    if hall is None and not access.halls_for_user(db, user):
        return render(request, "no_hall.html")
    found = access.hall_for_user(db, user, hall)
    figures = today_service.today(
        db, found, datetime.now(UTC), scoring_in_force(db, settings_of(request))
    )
    month = month_of(local_day(figures.now, ZoneInfo(found.timezone)))
    return render(
        request,
        "today.html",
        {
            "today": figures,
            "halls": access.halls_for_user(db, user),
            "hall": found,
            # The national indicators of the month so far (server/scores/indicators.py).
            "indicators": indicators_of(hall_indicator_counts(db, [found], month)),
            "month": month,
        },
    )


@router.get("/today/panel")
def today_panel(
    request: Request, db: SessionDep, user: ConsoleUser, hall: HallQuery = None
) -> Response:
    """The live part of Today (htmx polls it)."""
    found = access.hall_for_user(db, user, hall)
    figures = today_service.today(
        db, found, datetime.now(UTC), scoring_in_force(db, settings_of(request))
    )
    return render(request, "partials/today_panel.html", {"today": figures, "hall": found})


def _sign_in_page(
    request: Request, target: str, error: str, status: int, **headers: str
) -> Response:
    return render(
        request, "login.html", {"next": target, "error": error}, status=status, headers=headers
    )


@router.post("/login")
def login(request: Request, form: ConsoleForm) -> Response:
    """Sign in with the API's rules (server/users/service.py) and its shared failure count.

    No request-wide transaction: the count is reserved, the user read and the audit entry
    written in short transactions of their own, and the password is hashed outside all of
    them, so a sign-in never holds a database lock while hashing.
    """
    state = request.app.state
    factory = state.session_factory
    client = client_address(request)
    target = safe_next(form.get("next"))
    username, password = form.text("username")[:64], form.get("password", "")[:200]
    blocked = state.login_failures.reserve_now(factory, client)
    if blocked is not None:
        return _sign_in_page(
            request,
            target,
            "Too many failed sign-ins. Wait a minute and try again.",
            429,
            **{"Retry-After": str(blocked)},
        )
    try:
        found = (
            users.authenticate(
                factory, username, password, users.hasher_for(state.settings), state.hashing_gate
            )
            if username and password
            else None
        )
    except users.HashingBusy as exc:
        state.login_failures.refund_now(factory, client)
        return _sign_in_page(
            request,
            target,
            "Too many sign-ins at once. Try again in a moment.",
            429,
            **{"Retry-After": str(exc.retry_after_s)},
        )
    now = datetime.now(UTC)
    if found is None:
        with factory.begin() as db:
            # Only a name that exists is logged: a password typed into the name field is not.
            known = users_repository.by_username(db, username) if username else None
            audit.record(db, user=known, username="?", action="login.failed", at=now)
        return _sign_in_page(request, target, "Wrong user name or password.", 401)
    state.login_failures.refund_now(factory, client)
    with factory.begin() as db:
        audit.record(
            db,
            user=None,
            user_id=found.user_id,
            username=found.username,
            action="login",
            at=now,
            object_type="user",
            object_id=found.user_id,
            hall_id=found.hall_id,
        )
    start_session(request, found.user_id, found.token_generation, now)
    return redirect(request, target)


@router.post("/logout")
def logout(request: Request, db: SessionDep, user: ConsoleUser, form: ConsoleForm) -> Response:
    audit.record(
        db,
        user=user,
        action="logout",
        at=datetime.now(UTC),
        object_type="user",
        object_id=user.id,
        hall_id=user.hall_id,
    )
    end_session(request)
    return redirect(request, "/")


@router.post("/lang")
def choose_language(request: Request, form: ConsoleForm) -> Response:
    """The language switch: remembered in a cookie, then back to the page."""
    lang = i18n.parse_lang(form.get("lang"))
    if lang is not None:
        set_language(request, lang)
    return redirect(request, safe_next(form.get("next")))
