"""The Month and Points pages: a hall's month (status, the 20% rule, rankings, formal
talks, rectification orders, reports to download, close and verify) and the points of its
counters and staff with the breakdown behind each point.

Everyone signed in sees the halls they may see (404 elsewhere). Only an administrator
closes a month; admins, managers and supervisors record a rectification in their own hall;
auditors and inspectors read. Figures come from server/months; nothing is computed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Path, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from server.audit import service as audit
from server.console import access
from server.console.web import (
    ConsoleAdmin,
    ConsoleForm,
    ConsoleUser,
    ConsoleWriter,
    PageError,
    console_router,
    finish,
    redirect,
    render,
    settings_of,
)
from server.database import SessionDep
from server.errors import NotFound
from server.models import READ_ONLY_ROLES, Hall, Role, User
from server.months import labels, rectification, reports, schedule, service
from server.months.periods import (
    Period,
    PeriodError,
    PeriodKind,
    month_of,
    parse_month,
    parse_period,
    quarter_of,
    week_of,
)

router = console_router()

HallQuery = Annotated[str | None, Query(max_length=64)]
MonthQuery = Annotated[str | None, Query(max_length=8)]
PeriodQuery = Annotated[str, Query(max_length=8)]
StaffQuery = Annotated[str | None, Query(max_length=64)]


def _month(hall: Hall, text: str | None) -> Period:
    """The month asked for, else the last month ended in the hall's timezone."""
    if not text:
        return month_of(datetime.now(UTC).astimezone(ZoneInfo(hall.timezone)).date()).previous()
    try:
        return parse_month(text)
    except PeriodError:
        raise PageError(422, "Some of what was sent is not valid.") from None


def _base(db: Session, user: User, hall: Hall, period: Period) -> dict[str, Any]:
    zone = ZoneInfo(hall.timezone)
    _, end = period.bounds(zone)
    return {
        "hall": hall,
        "halls": access.halls_for_user(db, user),
        "period": period,
        "previous": period.previous().label,
        "next": period.next().label,
        "ended": datetime.now(UTC) >= end,
        "L": labels,
        "num": labels.num,
    }


def _summaries(hall: Hall) -> list[str]:
    """The last full week and the running and previous quarters, in the hall's timezone."""
    today = datetime.now(UTC).astimezone(ZoneInfo(hall.timezone)).date()
    quarter = quarter_of(today)
    return [week_of(today).previous().label, quarter.label, quarter.previous().label]


@router.get("/month")
def month_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: HallQuery = None,
    month: MonthQuery = None,
    verify: Annotated[bool, Query()] = False,
) -> Response:
    found = access.hall_for_user(db, user, hall)
    period = _month(found, month)
    settings = settings_of(request)
    now = datetime.now(UTC)
    view = service.month_view(db, settings, found.id, period, now)
    checked = (
        service.verify_month(db, settings, found.id, period.label, now=now)
        if verify and view.closed is not None
        else None
    )
    _, end = period.bounds(ZoneInfo(found.timezone))
    context = _base(db, user, found, period)
    f = view.figures
    context.update(
        f=f,
        closed=view.closed,
        verification=checked,
        auto_close_at=end + timedelta(days=settings.month_close_after_days),
        names={c["id"]: c["name"] for c in f["counters"]},
        ranked=sorted(
            (c for c in f["counters"] if c["rank"] is not None), key=lambda c: (c["rank"], c["id"])
        ),
        orders=rectification.orders(db, found.id),
        stored=schedule.stored_reports(settings, found.id),
        summaries=_summaries(found),
        can_close=user.role == Role.ADMIN and view.closed is None and context["ended"],
        can_rectify=user.role not in READ_ONLY_ROLES,
    )
    return render(request, "month.html", context)


@router.post("/month/close")
def close(request: Request, db: SessionDep, user: ConsoleAdmin, form: ConsoleForm) -> Response:
    found = access.hall_for_user(db, user, form.text("hall")[:64] or None)
    period = _month(found, form.text("month")[:8])
    try:
        service.close_month(
            db, settings_of(request), found.id, period.label, now=datetime.now(UTC), by=user
        )
    except service.MonthError:
        raise PageError(409, "This cannot be done in the item's present state.") from None
    return redirect(request, f"/month?hall={quote(found.id, safe='')}&month={period.label}")


@router.post("/month/rectifications/{order_id}")
def rectify(
    request: Request,
    db: SessionDep,
    user: ConsoleWriter,
    form: ConsoleForm,
    order_id: Annotated[int, Path(ge=1, le=2**31)],
) -> Response:
    try:
        order = rectification.get(db, order_id, access.visible_hall(user))
    except LookupError:
        raise NotFound("rectification") from None
    try:
        rectification.record_rectified(
            db,
            order,
            owner=form.text("owner"),
            actions=form.text("actions"),
            outcome=form.text("outcome"),
            now=datetime.now(UTC),
            user=user,
        )
    except rectification.RectificationError:
        raise PageError(
            422, "An owner, the actions taken and their outcome are all needed."
        ) from None
    return redirect(request, f"/month?hall={quote(order.hall_id, safe='')}&month={order.month}")


def _download(
    request: Request,
    db: Session,
    user: User,
    hall: Hall,
    label: str,
    fmt: str,
    data: bytes,
    staff_id: str | None = None,
) -> Response:
    audit.record(
        db,
        user=user,
        action="export.month_report",
        at=datetime.now(UTC),
        object_type="month",
        object_id=f"{hall.id}:{label}",
        hall_id=hall.id,
        after={"format": fmt, "staff_id": staff_id} if staff_id else {"format": fmt},
    )
    name = f"{hall.id}_{label}{'_' + staff_id if staff_id else ''}.{fmt}"
    media = (
        "application/pdf"
        if fmt == "pdf"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
    return finish(request, response)


@router.get("/month/report.{fmt}")
def report(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    fmt: Annotated[str, Path(pattern=r"^(pdf|xlsx)$")],
    period: PeriodQuery,
    hall: HallQuery = None,
    staff: StaffQuery = None,
) -> Response:
    """A hall's report (PDF or XLSX) of a month, week or quarter, made now; or a staff
    member's page (PDF)."""
    found = access.hall_for_user(db, user, hall)
    try:
        wanted = parse_period(period)
    except PeriodError:
        raise PageError(422, "Some of what was sent is not valid.") from None
    made = reports.build_report(db, settings_of(request), found.id, wanted, datetime.now(UTC))
    if staff:
        if fmt != "pdf":
            raise PageError(404, "There is nothing here, or it is not yours to see.")
        try:
            data = reports.staff_report_pdf(made, staff)
        except reports.ReportError:
            raise NotFound("staff") from None
    else:
        data = reports.hall_report_pdf(made) if fmt == "pdf" else reports.hall_report_xlsx(made)
    return _download(request, db, user, found, wanted.label, fmt, data, staff)


@router.get("/month/kept/{name}")
def kept(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    name: Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")],
) -> Response:
    """A scheduled report kept in the report folder, if it is of a hall the user sees."""
    hall_id = name.rsplit("_", 1)[0]
    found = access.hall_for_user(db, user, hall_id)
    for stored in schedule.stored_reports(settings_of(request), found.id):
        if stored.path.name == name:
            audit.record(
                db,
                user=user,
                action="export.month_report",
                at=datetime.now(UTC),
                object_type="month",
                object_id=f"{found.id}:{stored.period}",
                hall_id=found.id,
                after={"format": stored.fmt, "kept": True},
            )
            return finish(request, FileResponse(stored.path, filename=name))
    raise NotFound("report")


@router.get("/points")
def points_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: HallQuery = None,
    month: MonthQuery = None,
    staff: StaffQuery = None,
    counter: StaffQuery = None,
) -> Response:
    found = access.hall_for_user(db, user, hall)
    period = _month(found, month)
    view = service.month_view(db, settings_of(request), found.id, period, datetime.now(UTC))
    f = view.figures
    chosen = None
    if staff:
        chosen = next((s for s in f["staff"] if s["id"] == staff), None)
    elif counter:
        chosen = next((c for c in f["counters"] if c["id"] == counter), None)
    if (staff or counter) and chosen is None:
        raise NotFound("staff")
    context = _base(db, user, found, period)
    context.update(
        f=f,
        closed=view.closed,
        chosen=chosen,
        chosen_is_staff=bool(staff),
        names={c["id"]: c["name"] for c in f["counters"]},
        lows=[
            low
            for low in f["low_scores"]
            if chosen is not None
            and (low["staff_id"] == chosen["id"] if staff else low["counter_id"] == chosen["id"])
        ],
        PeriodKind=PeriodKind,
    )
    return render(request, "points.html", context)
