"""`/m/<token>` (rate on your phone) and `/r/<code>` (follow your rating): server-rendered
pages for citizens' phones. Thin: check the request, call the service, render a page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from server.database import SessionDep
from server.grants import tokens
from server.mobile import pages, service
from server.privacy import contacts
from server.ratelimit import client_address
from server.settings import Settings
from sync.receipt import normalize_code, receipt_url

router = APIRouter(include_in_schema=False)

#: A filled-in form is a few kilobytes; anything much larger is not from our form.
MAX_FORM_BYTES = 32 * 1024
_HEADERS = {
    # No script may run on these pages, whatever a comment holds; no framing; no caching
    # of a page that carries a token.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_REFUSED_STATUS = {"invalid": 404, "expired": 410, "used": 409, "unavailable": 409}

Token = Annotated[str, Path(max_length=200)]
Code = Annotated[str, Path(max_length=64)]


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _lang(request: Request, chosen: str | None = None) -> pages.Lang:
    return pages.pick_language(
        chosen or request.query_params.get("lang"), request.headers.get("accept-language")
    )


def _public_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return (settings.public_url or str(request.base_url)).rstrip("/")


def same_site(request: Request) -> bool:
    """Whether a form post comes from our own pages, judged by Origin, else Referer.

    A browser sends at least one of them with a cross-site post; an old one may send
    neither, and then the form's check value (which only our page carries) decides.
    """
    source = request.headers.get("origin")
    if source is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        source = referer
    if source == "null":
        return False
    host = urlsplit(source).netloc.lower()
    ours = {request.headers.get("host", "").lower(), urlsplit(_public_url(request)).netloc.lower()}
    return bool(host) and host in ours


@router.get("/m/{token}", response_class=HTMLResponse)
def phone_form(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    lang = _lang(request)
    href = f"/m/{token}"
    try:
        opened = service.open_token(session, settings, token, datetime.now(UTC))
    except service.PhoneRatingRefused as exc:
        return _html(pages.refused(lang, exc.why, href), _REFUSED_STATUS[exc.why])
    check = tokens.form_check(settings.secret, token)
    return _html(pages.rating_form(lang, token, check, opened))


async def request_body(request: Request) -> bytes:
    """The body, read on the event loop, so that the endpoint itself (database work) runs
    in the thread pool like every other one."""
    return await request.body()


@router.post("/m/{token}", response_class=HTMLResponse)
def phone_submit(
    token: Token,
    request: Request,
    body: Annotated[bytes, Depends(request_body)],
    session: SessionDep,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    href = f"/m/{token}"
    if len(body) > MAX_FORM_BYTES:
        # Far more than five scores and 500 characters: say what is wrong, spend nothing.
        return _html(pages.message(_lang(request), "title", "comment_too_long", href), 413)
    form = _parse_form(body, request.headers.get("content-type", ""))
    lang = _lang(request, (form or {}).get("lang", [None])[0])
    check = tokens.form_check(settings.secret, token)
    if not same_site(request) or form is None or form.get("check") != [check]:
        return _html(pages.refused(lang, "cross_site", None), 403)
    now = datetime.now(UTC)
    try:
        opened = service.open_token(session, settings, token, now)
    except service.PhoneRatingRefused as exc:
        return _html(pages.refused(lang, exc.why, href), _REFUSED_STATUS[exc.why])
    draft = service.read_form(form, opened.reasons)
    if draft.problems:
        return _html(pages.rating_form(lang, token, check, opened, draft), 400)
    try:
        done = service.submit(session, settings, opened, draft, now)
    except service.PhoneRatingRefused as exc:
        return _html(pages.refused(lang, exc.why, href), _REFUSED_STATUS[exc.why])
    link = receipt_url(_public_url(request), done.receipt_code)
    callback = ""
    if done.is_low and contacts.may_leave_contact(session, settings, done.receipt_code):
        callback = _callback_form(settings, lang, done.receipt_code)
    return _html(pages.thanks(lang, link, done.receipt_code, draft.comment, done.is_low, callback))


def _callback_form(settings: Settings, lang: pages.Lang, code: str, problem: str = "") -> str:
    consent = contacts.CONSENT_TEXT[lang].format(days=settings.contact_retention_days)
    check = tokens.form_check(settings.secret, f"r:{code}")
    return pages.callback_form(lang, code, check, consent, problem)


def _receipt_form(
    request: Request, body: bytes, code: str
) -> tuple[pages.Lang, dict[str, list[str]] | None, str | None]:
    """The language, the form if it is ours (same site, our check), and the code."""
    settings: Settings = request.app.state.settings
    canonical = normalize_code(code)
    form = (
        None
        if len(body) > MAX_FORM_BYTES
        else _parse_form(body, request.headers.get("content-type", ""))
    )
    lang = _lang(request, (form or {}).get("lang", [None])[0])
    if canonical is None or form is None or not same_site(request):
        return lang, None, canonical
    if form.get("check") != [tokens.form_check(settings.secret, f"r:{canonical}")]:
        return lang, None, canonical
    return lang, form, canonical


@router.post("/r/{code}/contact", response_class=HTMLResponse)
def leave_contact(
    code: Code,
    request: Request,
    body: Annotated[bytes, Depends(request_body)],
    session: SessionDep,
) -> HTMLResponse:
    """A citizen's consented call-back number after a low score (stored encrypted)."""
    settings: Settings = request.app.state.settings
    lang, form, canonical = _receipt_form(request, body, code)
    if form is None or canonical is None:
        return _html(pages.refused(lang, "cross_site", None), 403)
    phone = form.get("phone", [""])[0]
    consent = form.get("consent") == ["yes"]
    try:
        masked = contacts.leave_contact(
            session, settings, canonical, phone, consent, lang, datetime.now(UTC)
        )
    except contacts.ContactError as exc:
        why = str(exc)
        if why == "contact_closed":
            return _html(pages.message(lang, "callback_title", why, f"/r/{canonical}"), 409)
        return _html(pages.callback_page(lang, _callback_form(settings, lang, canonical, why)), 400)
    return _html(pages.callback_page(lang, pages.callback_done(lang, masked)))


@router.post("/r/{code}/feedback", response_class=HTMLResponse)
def give_feedback(
    code: Code,
    request: Request,
    body: Annotated[bytes, Depends(request_body)],
    session: SessionDep,
) -> HTMLResponse:
    """The citizen says once whether they are satisfied with the handling."""
    lang, form, canonical = _receipt_form(request, body, code)
    if form is None or canonical is None:
        return _html(pages.refused(lang, "cross_site", None), 403)
    answer = form.get("satisfied", [""])[0]
    if answer not in ("yes", "no"):
        return _html(pages.message(lang, "receipt_title", "bad_form", f"/r/{canonical}"), 400)
    try:
        contacts.give_feedback(session, canonical, answer == "yes", datetime.now(UTC))
    except contacts.ContactError as exc:
        return _html(pages.message(lang, "receipt_title", str(exc), f"/r/{canonical}"), 409)
    status = service.receipt_status(session, canonical)
    return _html(pages.receipt(lang, f"/r/{canonical}", status))


def _parse_form(body: bytes, content_type: str) -> dict[str, list[str]] | None:
    """The url-encoded form, or None when the body is not one of ours."""
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        text = body.decode("utf-8")
        return parse_qs(
            text, keep_blank_values=True, strict_parsing=False, max_num_fields=100, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        return None


@router.get("/r/{code}", response_class=HTMLResponse)
def receipt_page(code: Code, request: Request, session: SessionDep) -> HTMLResponse:
    lang = _lang(request)
    href = f"/r/{code}"
    canonical = normalize_code(code)
    if canonical is None:
        return _html(pages.receipt(lang, href, None, valid=False), 404)
    state = request.app.state
    status = service.receipt_status(session, canonical)
    if (
        status is None
        and state.receipt_lookups.reserve_now(state.session_factory, client_address(request))
        is not None
    ):
        # Unknown codes from one address, many times a minute: someone is guessing.
        return _html(pages.message(lang, "receipt_title", "slow_down", href), 429)
    check = None
    if status is not None and contacts.may_give_feedback(status.alert):
        settings: Settings = request.app.state.settings
        check = tokens.form_check(settings.secret, f"r:{canonical}")
    callback = ""
    if status is not None and contacts.may_leave_contact(
        session, request.app.state.settings, canonical
    ):
        # A kiosk's low score: its receipt is where the citizen can still ask for a call.
        callback = _callback_form(request.app.state.settings, lang, canonical)
    return _html(pages.receipt(lang, href, status, feedback_check=check, callback=callback))
