"""Administration (admins only): halls, counters, staff with photos, users, and the
scoring settings. Each page is a list with an add form and an edit page per record;
every change goes through the service functions the CLI uses and into the audit log
with the record before and after. Forms post, then redirect (POST/redirect/GET)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from server.audit import service as audit
from server.console.upload import checked_upload
from server.console.web import (
    ConsoleAdmin,
    ConsoleForm,
    PageError,
    console_router,
    current_session,
    redirect,
    render,
    say,
    settings_of,
)
from server.content import repository as content_repository
from server.content import service as content
from server.database import SessionDep
from server.halls import photos
from server.halls import repository as halls
from server.halls import service as hall_service
from server.models import HALL_ROLES, Hall, Role
from server.users import admin as user_admin
from server.users import service as user_service
from sync.scoring import DIMENSIONS

router = console_router(prefix="/admin")

Ident = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00/]+$")]
HallQuery = Annotated[str | None, Query(max_length=64)]
SavedQuery = Annotated[str | None, Query(max_length=16)]
TABS = (
    ("/admin/halls", "Halls"),
    ("/admin/counters", "Counters"),
    ("/admin/staff", "Staff"),
    ("/admin/users", "Users"),
    ("/admin/scoring", "Scoring settings"),
)
#: What the audit log and the CLI call each kind of change.
ROLE_CHOICES = tuple(r.value for r in Role)


def _now() -> datetime:
    return datetime.now(UTC)


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    problem: str | None = None,
    status: int = 200,
    saved: str | None = None,
) -> Response:
    return render(
        request,
        f"admin/{template}",
        {
            "tabs": TABS,
            "problem": problem,
            "saved": bool(saved),
            "min_password": user_service.MIN_PASSWORD_CHARS,
            **context,
        },
        status=status if problem is None else 400,
    )


def _hall_or_404(db: Session, hall_id: str) -> Hall:
    hall = halls.get_hall(db, hall_id)
    if hall is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    return hall


def _pick_hall(db: Session, hall_id: str | None) -> Hall | None:
    if hall_id:
        return _hall_or_404(db, hall_id)
    found = halls.list_halls(db)
    return found[0] if found else None


def _checked(form: dict[str, str], name: str) -> bool:
    return form.get(name) == "on"


@router.get("")
def overview(request: Request, user: ConsoleAdmin) -> Response:
    return redirect(request, "/admin/halls")


# -- halls -------------------------------------------------------------------------------


def _halls_page(
    request: Request, db: Session, problem: str | None = None, saved: str | None = None
) -> Response:
    return _page(
        request,
        "halls.html",
        {"halls": halls.list_halls(db), "default_tz": settings_of(request).default_timezone},
        problem=problem,
        saved=saved,
    )


@router.get("/halls")
def halls_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, saved: SavedQuery = None
) -> Response:
    return _halls_page(request, db, saved=saved)


@router.post("/halls")
def add_hall(request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm) -> Response:
    now = _now()
    try:
        hall = hall_service.add_hall(
            db, form.text("id"), form.text("name"), form.text("timezone"), now
        )
    except hall_service.HallError as exc:
        return _halls_page(request, db, problem=say(request, exc))
    change = hall_service.Change("hall", hall.id, {}, hall_service.snapshot(hall))
    hall_service.record_change(db, change, action="hall.create", user=user, at=now)
    return redirect(request, "/admin/halls?saved=1")


@router.get("/halls/{hall_id}")
def hall_page(request: Request, db: SessionDep, user: ConsoleAdmin, hall_id: Ident) -> Response:
    return _page(request, "hall.html", {"hall": _hall_or_404(db, hall_id)})


@router.post("/halls/{hall_id}")
def edit_hall(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, hall_id: Ident
) -> Response:
    hall = _hall_or_404(db, hall_id)
    try:
        change = hall_service.edit_hall(
            db,
            hall.id,
            name=form.text("name"),
            timezone=form.text("timezone"),
            active=_checked(form, "active"),
        )
    except hall_service.HallError as exc:
        db.rollback()
        return _page(
            request, "hall.html", {"hall": _hall_or_404(db, hall_id)}, problem=say(request, exc)
        )
    if change.changed:
        hall_service.record_change(db, change, action="hall.edit", user=user, at=_now())
    return redirect(request, "/admin/halls?saved=1")


# -- counters ----------------------------------------------------------------------------


def _counters_page(
    request: Request,
    db: Session,
    hall: Hall | None,
    problem: str | None = None,
    saved: str | None = None,
) -> Response:
    return _page(
        request,
        "counters.html",
        {
            "hall": hall,
            "halls": halls.list_halls(db),
            "counters": halls.list_counters(db, hall.id) if hall else [],
        },
        problem=problem,
        saved=saved,
    )


@router.get("/counters")
def counters_page(
    request: Request,
    db: SessionDep,
    user: ConsoleAdmin,
    hall: HallQuery = None,
    saved: SavedQuery = None,
) -> Response:
    return _counters_page(request, db, _pick_hall(db, hall), saved=saved)


@router.post("/counters")
def add_counter(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm
) -> Response:
    hall = _hall_or_404(db, form.text("hall")[:64])
    now = _now()
    try:
        counter = hall_service.add_counter(db, hall.id, form.text("id"), form.text("name"), now)
    except hall_service.HallError as exc:
        return _counters_page(request, db, hall, problem=say(request, exc))
    change = hall_service.Change("counter", counter.id, {}, hall_service.snapshot(counter))
    hall_service.record_change(db, change, action="counter.create", user=user, at=now)
    return redirect(request, f"/admin/counters?hall={quote(hall.id, safe='')}&saved=1")


@router.get("/counters/{counter_id}")
def counter_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, counter_id: Ident
) -> Response:
    counter = halls.get_counter(db, counter_id)
    if counter is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    return _page(request, "counter.html", {"counter": counter})


@router.post("/counters/{counter_id}")
def edit_counter(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, counter_id: Ident
) -> Response:
    counter = halls.get_counter(db, counter_id)
    if counter is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    try:
        change = hall_service.edit_counter(
            db, counter.id, name=form.text("name"), active=_checked(form, "active")
        )
    except hall_service.HallError as exc:
        db.rollback()
        counter = halls.get_counter(db, counter_id)
        return _page(request, "counter.html", {"counter": counter}, problem=say(request, exc))
    if change.changed:
        hall_service.record_change(db, change, action="counter.edit", user=user, at=_now())
    return redirect(request, f"/admin/counters?hall={quote(counter.hall_id, safe='')}&saved=1")


# -- staff -------------------------------------------------------------------------------


def _staff_page(
    request: Request,
    db: Session,
    hall: Hall | None,
    problem: str | None = None,
    saved: str | None = None,
) -> Response:
    return _page(
        request,
        "staff_list.html",
        {
            "hall": hall,
            "halls": halls.list_halls(db),
            "staff": hall_service.list_staff(db, hall.id) if hall else [],
            "counters": halls.list_counters(db, hall.id) if hall else [],
        },
        problem=problem,
        saved=saved,
    )


@router.get("/staff")
def staff_page(
    request: Request,
    db: SessionDep,
    user: ConsoleAdmin,
    hall: HallQuery = None,
    saved: SavedQuery = None,
) -> Response:
    return _staff_page(request, db, _pick_hall(db, hall), saved=saved)


@router.post("/staff")
def add_staff(request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm) -> Response:
    hall = _hall_or_404(db, form.text("hall")[:64])
    now = _now()
    try:
        staff = hall_service.add_staff(
            db, hall.id, form.text("id"), form.text("name"), form.text("counter") or None, now
        )
    except hall_service.HallError as exc:
        return _staff_page(request, db, hall, problem=say(request, exc))
    change = hall_service.Change("staff", staff.id, {}, hall_service.snapshot(staff))
    hall_service.record_change(db, change, action="staff.create", user=user, at=now)
    return redirect(request, f"/admin/staff/{quote(staff.id, safe='')}?saved=1")


def _one_staff_page(
    request: Request,
    db: Session,
    staff_id: str,
    problem: str | None = None,
    saved: str | None = None,
) -> Response:
    staff = halls.get_staff(db, staff_id)
    if staff is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    return _page(
        request,
        "staff.html",
        {
            "staff": staff,
            "counters": halls.list_counters(db, staff.hall_id),
            "max_mb": f"{settings_of(request).photo_max_bytes / 1_000_000:.1f}",
        },
        problem=problem,
        saved=saved,
    )


@router.get("/staff/{staff_id}")
def one_staff_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, staff_id: Ident, saved: SavedQuery = None
) -> Response:
    return _one_staff_page(request, db, staff_id, saved=saved)


@router.post("/staff/{staff_id}")
def edit_staff(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, staff_id: Ident
) -> Response:
    if halls.get_staff(db, staff_id) is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    try:
        change = hall_service.edit_staff(
            db,
            staff_id,
            name=form.text("name"),
            counter_id=form.text("counter") or None,
            active=_checked(form, "active"),
        )
    except hall_service.HallError as exc:
        db.rollback()
        return _one_staff_page(request, db, staff_id, problem=say(request, exc))
    if change.changed:
        hall_service.record_change(db, change, action="staff.edit", user=user, at=_now())
    return redirect(request, f"/admin/staff/{quote(staff_id, safe='')}?saved=1")


@router.post("/staff/{staff_id}/photo")
async def upload_photo(
    request: Request, db: SessionDep, user: ConsoleAdmin, staff_id: Ident
) -> Response:
    """A multipart upload (field `photo`, or `remove`); the CSRF token is checked here
    because the console's form dependency reads url-encoded forms only."""
    form = await checked_upload(request, current_session(request))
    try:
        if halls.get_staff(db, staff_id) is None:
            raise PageError(404, "There is nothing here, or it is not yours to see.")
        settings = settings_of(request)
        data: bytes | None = None
        if form.get("remove") != "on":
            upload = form.get("photo")
            if upload is None or isinstance(upload, str):
                return _one_staff_page(request, db, staff_id, problem="Choose a photo file first.")
            data = await upload.read(settings.photo_max_bytes + 1)
    finally:
        await form.close()
    try:
        change = hall_service.set_staff_photo(
            db, staff_id, data, settings.photo_dir, settings.photo_max_bytes
        )
    except photos.PhotoError as exc:
        return _one_staff_page(request, db, staff_id, problem=say(request, exc))
    if change.changed:
        hall_service.record_change(db, change, action="staff.photo", user=user, at=_now())
    return redirect(request, f"/admin/staff/{quote(staff_id, safe='')}?saved=1")


@router.get("/staff/{staff_id}/photo")
def staff_photo(request: Request, db: SessionDep, user: ConsoleAdmin, staff_id: Ident) -> Response:
    staff = halls.get_staff(db, staff_id)
    data = (
        photos.read(settings_of(request).photo_dir, staff.photo_sha256)
        if staff is not None and staff.photo_sha256
        else None
    )
    if data is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"}
    )


# -- users -------------------------------------------------------------------------------


def _users_page(
    request: Request,
    db: Session,
    problem: str | None = None,
    saved: str | None = None,
    draft: dict[str, str] | None = None,
) -> Response:
    return _page(
        request,
        "users.html",
        {
            "users": user_admin.list_users(db),
            "halls": halls.list_halls(db),
            "roles": ROLE_CHOICES,
            "hall_roles": sorted(r.value for r in HALL_ROLES),
            "draft": draft or {},
        },
        problem=problem,
        saved=saved,
    )


@router.get("/users")
def users_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, saved: SavedQuery = None
) -> Response:
    return _users_page(request, db, saved=saved)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise user_service.UserError("unknown role {role!r}", role=value) from None


@router.post("/users")
def add_user(request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm) -> Response:
    now = _now()
    hall_id = form.text("hall") or None
    try:
        role = _role(form.text("role"))
        created = user_service.create_user(
            db,
            form.text("username"),
            form.get("password", ""),
            role,
            hall_id if role in HALL_ROLES else None,
            now,
            user_service.hasher_for(settings_of(request)),
        )
    except user_service.UserError as exc:
        draft = {k: form.text(k) for k in ("username", "role", "hall")}
        return _users_page(request, db, problem=say(request, exc), draft=draft)
    audit.record(
        db,
        user=user,
        action="user.create",
        at=now,
        object_type="user",
        object_id=created.username,
        hall_id=created.hall_id,
        after=user_admin.snapshot(created),
    )
    return redirect(request, "/admin/users?saved=1")


def _one_user_page(
    request: Request,
    db: Session,
    username: str,
    problem: str | None = None,
    saved: str | None = None,
) -> Response:
    found = user_admin.list_users(db)
    target = next((u for u in found if u.username == username), None)
    if target is None:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    return _page(
        request,
        "user.html",
        {
            "target": target,
            "halls": halls.list_halls(db),
            "roles": ROLE_CHOICES,
            "suggested": secrets.token_urlsafe(12),
        },
        problem=problem,
        saved=saved,
    )


@router.get("/users/{username}")
def one_user_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, username: Ident, saved: SavedQuery = None
) -> Response:
    return _one_user_page(request, db, username, saved=saved)


@router.post("/users/{username}")
def edit_user(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, username: Ident
) -> Response:
    try:
        target = user_admin.require_user(db, username)
        role = _role(form.text("role"))
        hall_id = form.text("hall") or None
        before, after = user_admin.edit_user(
            db,
            target.username,
            role=role,
            hall_id=hall_id if role in HALL_ROLES else None,
            active=_checked(form, "active"),
        )
    except user_service.UserError as exc:
        db.rollback()
        if user_admin.list_users(db) and "no user" in str(exc):
            raise PageError(404, "There is nothing here, or it is not yours to see.") from None
        return _one_user_page(request, db, username, problem=say(request, exc))
    if before != after:
        audit.record(
            db,
            user=user,
            action="user.edit",
            at=_now(),
            object_type="user",
            object_id=username,
            hall_id=after["hall_id"] or before["hall_id"],
            before=before,
            after=after,
        )
    return redirect(request, f"/admin/users/{quote(username, safe='')}?saved=1")


@router.post("/users/{username}/password")
def reset_password(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm, username: Ident
) -> Response:
    try:
        target = user_admin.reset_password(
            db,
            username,
            form.get("password", ""),
            user_service.hasher_for(settings_of(request)),
        )
    except user_service.UserError as exc:
        db.rollback()
        if "no user" in str(exc):
            raise PageError(404, "There is nothing here, or it is not yours to see.") from None
        return _one_user_page(request, db, username, problem=say(request, exc))
    audit.record(
        db,
        user=user,
        action="user.password_reset",
        at=_now(),
        object_type="user",
        object_id=target.username,
        hall_id=target.hall_id,
    )
    return redirect(request, f"/admin/users/{quote(username, safe='')}?saved=1")


# -- scoring settings --------------------------------------------------------------------


def _reasons_text(reasons: Any) -> str:
    return "\n".join(f"{r.code} | {r.dimension} | {r.label_zh} | {r.label_en}" for r in reasons)


def _parse_reasons_text(text: str) -> list[dict[str, str]]:
    """One reason a line: `code | dimension | 中文 | English`."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            raise content.ContentError(
                f"reason line {number}: write code | dimension | Chinese label | English label"
            )
        out.append(dict(zip(("code", "dimension", "zh", "en"), parts, strict=True)))
    return out


def _scoring_page(
    request: Request,
    db: Session,
    problem: str | None = None,
    saved: str | None = None,
    draft: dict[str, str] | None = None,
) -> Response:
    in_force = content.content_in_force(db, settings_of(request))
    return _page(
        request,
        "scoring.html",
        {
            "content": in_force,
            "dimensions": DIMENSIONS,
            "reasons_text": _reasons_text(in_force.reasons),
            "history": content_repository.history(db, 20),
            "tz_default": settings_of(request).default_timezone,
            "draft": draft,
        },
        problem=problem,
        saved=saved,
    )


@router.get("/scoring")
def scoring_page(
    request: Request, db: SessionDep, user: ConsoleAdmin, saved: SavedQuery = None
) -> Response:
    return _scoring_page(request, db, saved=saved)


@router.post("/scoring")
def change_scoring(
    request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm
) -> Response:
    settings = settings_of(request)
    now = _now()
    try:
        before, after = content.change_content(
            db,
            settings,
            weights={d.code: form.text(f"weight_{d.code}") for d in DIMENSIONS},
            low_score_below=form.text("low_score_below"),
            alert_deadline_hours=form.text("alert_deadline_hours"),
            reasons=_parse_reasons_text(form.get("reasons", "")),
            by=user.username,
            now=now,
        )
    except content.ContentError as exc:
        db.rollback()
        return _scoring_page(request, db, problem=say(request, exc), draft=dict(form))
    audit.record(
        db,
        user=user,
        action="content.change",
        at=now,
        object_type="content",
        object_id=after.version,
        before=content.summary(before),
        after=content.summary(after),
    )
    return redirect(request, "/admin/scoring?saved=1")
