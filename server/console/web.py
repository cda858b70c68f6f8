"""The console's request plumbing, shared by every console page: the router factory, the
signed-in user and role guards, the CSRF-checked form, rendering in the user's language,
and errors shown as pages (not JSON) on console routes.

Every console route is made with `console_router()`; every page that needs a user takes
`ConsoleUser` (or a narrower guard); every state-changing route takes `ConsoleForm`, which
refuses a request whose CSRF token is missing or wrong before the route runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.console import i18n, session
from server.console.i18n import Lang
from server.database import SessionDep
from server.errors import ApiError
from server.models import READ_ONLY_ROLES, Role, User
from server.problems import Problem
from server.settings import Settings
from server.users import repository as users

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
#: A console form is a few kilobytes; anything much larger is not one of ours.
MAX_FORM_BYTES = 64 * 1024

_HEADERS = {
    # Every script and style comes from this server; no inline script can run, whatever
    # a comment holds; no framing.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as the templates show it."""

    id: int
    username: str
    role: str
    hall_id: str | None


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class PageError(Exception):
    """A console error shown as a page: HTTP status and an English message id."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _mark_console(request: Request) -> None:
    request.state.console = True


def console_router(**kwargs: Any) -> APIRouter:
    """A router whose routes are console pages (errors render as HTML pages)."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(_mark_console)], **kwargs)


# -- language and templates ------------------------------------------------------------


def _environment(lang: Lang) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(pct=format_pct, score=format_score, local=format_local)
    env.globals.update(nav_items=nav_items)
    return env


def format_pct(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def format_score(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def format_local(value: datetime | None, timezone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time as the hall's local time."""
    return "—" if value is None else value.astimezone(ZoneInfo(timezone)).strftime(pattern)


#: The console's pages in the navigation: (path, English label, who sees the link).
NAV: tuple[tuple[str, str, frozenset[Role] | None], ...] = (
    ("/", "Today", None),
    ("/alerts", "Alerts", None),
    ("/rankings", "Rankings", None),
    ("/comments", "Comments", None),
    ("/kiosks", "Kiosks", None),
    ("/notifications", "Notifications", None),
    ("/month", "Month", None),
    ("/points", "Points", None),
    ("/admin", "Administration", frozenset({Role.ADMIN})),
    ("/audit", "Audit log", frozenset({Role.ADMIN, Role.AUDITOR, Role.INSPECTOR})),
)


def nav_items(user: Viewer | None) -> list[tuple[str, str]]:
    """(path, English label) of the pages `user` may open."""
    if user is None:
        return []
    return [(path, label) for path, label, roles in NAV if roles is None or user.role in roles]


_ENVIRONMENTS: dict[Lang, jinja2.Environment] = {}


def environment(lang: Lang) -> jinja2.Environment:
    env = _ENVIRONMENTS.get(lang)
    if env is None:
        env = _ENVIRONMENTS[lang] = _environment(lang)
    return env


def lang_of(request: Request) -> Lang:
    return i18n.pick(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))


def gettext(request: Request, message: str) -> str:
    return i18n.translations(lang_of(request)).gettext(message)


def say(request: Request, problem: Exception) -> str:
    """A refusal in the reader's language: a `Problem`'s message translated, any other
    error's text as it is."""
    if isinstance(problem, Problem):
        return problem.phrase.render(lambda message: gettext(request, message))
    return str(problem)


# -- the session -------------------------------------------------------------------------


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def current_session(request: Request) -> session.ConsoleSession | None:
    """The request's live console session, or None (read once per request)."""
    if hasattr(request.state, "console_session"):
        found: session.ConsoleSession | None = request.state.console_session
        return found
    settings = settings_of(request)
    found = session.decode(
        request.cookies.get(session.SESSION_COOKIE),
        settings.secrets,
        datetime.now(UTC),
        settings.console_idle_minutes * 60,
        settings.console_session_hours * 3600,
    )
    request.state.console_session = found
    return found


def _pending_cookies(request: Request) -> dict[str, str | None]:
    if not hasattr(request.state, "console_cookies"):
        request.state.console_cookies = {}
    cookies: dict[str, str | None] = request.state.console_cookies
    return cookies


def start_session(
    request: Request, user_id: int, generation: int, now: datetime
) -> session.ConsoleSession:
    """Sign the user in: the response will carry a new session cookie."""
    started = session.new_session(user_id, generation, now)
    request.state.console_session = started
    _pending_cookies(request)[session.SESSION_COOKIE] = session.encode(
        started, settings_of(request).secret
    )
    return started


def end_session(request: Request) -> None:
    request.state.console_session = None
    _pending_cookies(request)[session.SESSION_COOKIE] = None


def set_language(request: Request, lang: Lang) -> None:
    _pending_cookies(request)[i18n.LANG_COOKIE] = lang


def signed_in_user(request: Request, db: SessionDep) -> User | None:
    """The signed-in user, or None; re-stamps the session's activity (not for polling)."""
    found = current_session(request)
    if found is None:
        return None
    user = users.get(db, found.user_id)
    if user is None or not user.active or user.token_generation != found.generation:
        end_session(request)
        return None
    if request.headers.get(session.POLL_HEADER) is None:
        fresh = session.touched(found, datetime.now(UTC))
        if fresh is not None:
            request.state.console_session = fresh
            _pending_cookies(request)[session.SESSION_COOKIE] = session.encode(
                fresh, settings_of(request).secret
            )
    # A plain copy for the templates: an error page renders after the session rolled back.
    request.state.user = Viewer(user.id, user.username, user.role, user.hall_id)
    return user


def console_user(user: Annotated[User | None, Depends(signed_in_user)]) -> User:
    if user is None:
        raise SignInRequired()
    return user


OptionalUser = Annotated[User | None, Depends(signed_in_user)]
ConsoleUser = Annotated[User, Depends(console_user)]


def writer(user: ConsoleUser) -> User:
    """Users who may change things in their halls (not auditors, not inspectors)."""
    if user.role in READ_ONLY_ROLES:
        raise PageError(403, "Your role may look but not change anything.")
    return user


def admin(user: ConsoleUser) -> User:
    if user.role != Role.ADMIN:
        raise PageError(403, "Only an administrator may open this page.")
    return user


def audit_reader(user: ConsoleUser) -> User:
    """Who may read the audit log: admins, auditors and inspectors."""
    if user.role not in (Role.ADMIN, Role.AUDITOR, Role.INSPECTOR):
        raise PageError(403, "Only administrators and auditors may read the audit log.")
    return user


ConsoleWriter = Annotated[User, Depends(writer)]
ConsoleAdmin = Annotated[User, Depends(admin)]
ConsoleAuditReader = Annotated[User, Depends(audit_reader)]


# -- CSRF and forms ----------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry: the session's, or before sign-in a random one
    also set as a cookie (double submit)."""
    found = current_session(request)
    if found is not None:
        return found.csrf
    pending = _pending_cookies(request).get(session.ANON_CSRF_COOKIE)
    if pending:
        return pending
    token = request.cookies.get(session.ANON_CSRF_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(24)
        _pending_cookies(request)[session.ANON_CSRF_COOKIE] = token
    return token


class Form(dict[str, str]):
    """A posted url-encoded form: the first value of each field (CSRF checked)."""

    def __init__(self, values: Mapping[str, str], lists: Mapping[str, list[str]]) -> None:
        super().__init__(values)
        self.lists = dict(lists)

    def text(self, name: str) -> str:
        return self.get(name, "").strip()


async def checked_form(request: Request) -> Form:
    """The posted form, once its CSRF token (field `csrf` or header X-CSRF-Token) matches
    this browser's; 403 otherwise."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PageError(413, "The form is too large.")
    lists: dict[str, list[str]] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and content_type == "application/x-www-form-urlencoded":
        try:
            lists = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
        except (UnicodeDecodeError, ValueError):
            raise PageError(400, "The form could not be read.") from None
    elif body:
        raise PageError(415, "The form could not be read.")
    sent = request.headers.get(session.CSRF_HEADER) or (lists.get(session.CSRF_FIELD) or [""])[0]
    expected = (
        current_session(request).csrf  # type: ignore[union-attr]
        if current_session(request) is not None
        else request.cookies.get(session.ANON_CSRF_COOKIE, "")
    )
    if not expected or not sent or not secrets.compare_digest(sent, expected):
        raise PageError(
            403,
            "This form is out of date or did not come from this console. "
            "Reload the page and try again.",
        )
    return Form({k: v[0] for k, v in lists.items() if v}, lists)


ConsoleForm = Annotated[Form, Depends(checked_form)]


# -- responses ---------------------------------------------------------------------------


def finish(request: Request, response: Response) -> Response:
    """Add the console's headers and the cookies the request decided on."""
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    settings = settings_of(request)
    # Behind nginx the scheme comes from X-Forwarded-Proto (uvicorn's proxy headers); a
    # public address on https says so too.
    secure = request.url.scheme == "https" or (settings.public_url or "").startswith("https:")
    for cookie, content in _pending_cookies(request).items():
        if content is None:
            response.delete_cookie(cookie, path="/", secure=secure, httponly=True, samesite="lax")
        elif cookie == i18n.LANG_COOKIE:
            response.set_cookie(
                cookie, content, max_age=365 * 86400, path="/", secure=secure, samesite="lax"
            )
        else:
            response.set_cookie(
                cookie,
                content,
                max_age=(
                    settings.console_session_hours * 3600
                    if cookie == session.SESSION_COOKIE
                    else None
                ),
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )
    return response


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A template rendered in the request's language, with the console's context: `lang`,
    `user` (or None), `csrf`, `path`, `now`."""
    lang = lang_of(request)
    user: Viewer | None = getattr(request.state, "user", None)
    html = (
        environment(lang)
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            html_lang=i18n.html_lang(lang),
            user=user,
            csrf=csrf_token(request),
            path=request.url.path,
            now=datetime.now(UTC),
            **(context or {}),
        )
    )
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    finish(request, response)
    return response


def redirect(request: Request, url: str) -> Response:
    """POST/redirect/GET: 303 to `url` (htmx requests get HX-Redirect instead)."""
    if request.headers.get("hx-request"):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    return finish(request, response)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site) goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# -- errors as pages ---------------------------------------------------------------------

_STATUS_MESSAGES = {
    400: "The request could not be read.",
    403: "You may not do this.",
    404: "There is nothing here, or it is not yours to see.",
    405: "This page does not take that kind of request.",
    409: "This cannot be done in the item's present state.",
    422: "Some of what was sent is not valid.",
    429: "Too many attempts. Wait a minute and try again.",
}


def _error_page(request: Request, status: int, message: str) -> Response:
    headers = {"Retry-After": "60"} if status == 429 else None
    return render(
        request,
        "error.html",
        {"status": status, "message": gettext(request, message)},
        status=status,
        headers=headers,
    )


def _sign_in_again(request: Request) -> Response:
    target = "/"
    if request.method == "GET" and request.url.path != "/":
        target = "/?next=" + quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""
        )
    return redirect(request, target)


Handler = Callable[[Request, Any], Awaitable[Response]]


def install_console_handlers(app: FastAPI) -> None:
    """Console routes answer errors with pages; everything else keeps the JSON handlers
    (install after `install_error_handlers`)."""

    async def _sign_in(request: Request, _exc: Exception) -> Response:
        return _sign_in_again(request)

    async def _page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return _error_page(request, exc.status, exc.message)

    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(PageError, _page_error)

    def _wrap(kind: type[Exception], status_of: Callable[[Any], int]) -> None:
        original: Handler | None = app.exception_handlers.get(kind)  # type: ignore[assignment]

        async def _handler(request: Request, exc: Any) -> Response:
            if getattr(request.state, "console", False):
                status = status_of(exc)
                return _error_page(request, status, _STATUS_MESSAGES.get(status, "Error."))
            assert original is not None
            return await original(request, exc)

        app.add_exception_handler(kind, _handler)

    _wrap(ApiError, lambda exc: exc.status)
    _wrap(StarletteHTTPException, lambda exc: exc.status_code)
    _wrap(RequestValidationError, lambda _exc: 422)
