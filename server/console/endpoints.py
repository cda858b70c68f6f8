"""The console's sign-in, language switch and Today page. Routes are thin: read the
request, call a service function, render a template (partials serve the htmx swaps)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

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
from server.database import SessionDep
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
    found = access.hall_for_user(db, user, hall)
    figures = today_service.today(db, found, datetime.now(UTC), settings_of(request).scoring)
    return render(
        request,
        "today.html",
        {"today": figures, "halls": access.halls_for_user(db, user), "hall": found},
    )


@router.get("/today/panel")
def today_panel(
    request: Request, db: SessionDep, user: ConsoleUser, hall: HallQuery = None
) -> Response:
    """The live part of Today (htmx polls it)."""
    found = access.hall_for_user(db, user, hall)
    figures = today_service.today(db, found, datetime.now(UTC), settings_of(request).scoring)
    return render(request, "partials/today_panel.html", {"today": figures, "hall": found})


@router.post("/login")
def login(request: Request, db: SessionDep, form: ConsoleForm) -> Response:
    state = request.app.state
    client = request.client.host if request.client else "unknown"
    target = safe_next(form.get("next"))
    now = datetime.now(UTC)
    if state.login_failures.blocked(client):
        return render(
            request,
            "login.html",
            {"next": target, "error": "Too many failed sign-ins. Wait a minute and try again."},
            status=429,
            headers={"Retry-After": "60"},
        )
    username, password = form.text("username")[:64], form.get("password", "")[:200]
    user = (
        users.authenticate(db, username, password, users.hasher_for(state.settings))
        if username and password
        else None
    )
    if user is None:
        state.login_failures.hit(client)
        # Only a name that exists is logged: a password typed into the name field is not.
        known = users_repository.by_username(db, username) if username else None
        audit.record(db, user=known, username="?", action="login.failed", at=now)
        return render(
            request,
            "login.html",
            {"next": target, "error": "Wrong user name or password."},
            status=401,
        )
    start_session(request, user, now)
    audit.record(
        db,
        user=user,
        action="login",
        at=now,
        object_type="user",
        object_id=user.id,
        hall_id=user.hall_id,
    )
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
