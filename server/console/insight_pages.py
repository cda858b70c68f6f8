"""Rankings, a counter's or staff member's page, Compare, Comments, exports and the
public disclosure page. Thin routes: read the filter, call server/scores and
server/exports, render. Every figure is one of theirs; counts link to the ratings behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from server.console import access
from server.console.web import (
    ConsoleUser,
    PageError,
    console_router,
    finish,
    gettext,
    lang_of,
    render,
    settings_of,
)
from server.content.service import reasons_in_force, scoring_in_force
from server.database import SessionDep
from server.exports import service as exports
from server.halls import repository as halls_repository
from server.models import Alert, AlertKind, Counter, Hall, User
from server.scores import comments, detail, rankings
from server.scores.indicators import (
    INDICATORS,
    hall_indicator_counts,
    indicators_of,
)
from server.scores.periods import Period, PeriodError, PeriodKind, period_of
from server.scores.service import local_day

router = console_router()


Text64 = Annotated[str | None, Query(max_length=64)]
#: Below this many ratings the public page shows no figure for a counter (no tiny sample).
PUBLIC_MIN_RATINGS = 30
MAX_COMPARE = 6


def _date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PageError(422, "A date must be written as YYYY-MM-DD.") from None


def _period(
    kind: str | None, at: str | None, first: str | None, last: str | None, hall: Hall
) -> Period:
    anchor = _date(at, "at") or local_day(datetime.now(UTC), ZoneInfo(hall.timezone))
    try:
        return period_of(kind, anchor, _date(first, "from"), _date(last, "to"))
    except PeriodError:
        raise PageError(422, "This period cannot be shown: check its kind and its days.") from None


def _halls(db: SessionDep, user: User, hall: str | None) -> tuple[list[Hall], Hall, bool]:
    """The halls a page covers: one (the asked or the user's first), or every hall the
    user sees when `hall` is "all" (a region, for those who see more than one hall)."""
    mine = access.halls_for_user(db, user)
    if not mine:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    if hall == "all" and access.visible_hall(user) is None:
        return mine, mine[0], True
    found = access.hall_for_user(db, user, hall or None)
    return [found], found, False


def _period_query(period: Period) -> dict[str, str]:
    if period.kind is PeriodKind.CUSTOM:
        return {"period": "custom", "from": period.first.isoformat(), "to": period.last.isoformat()}
    return {"period": period.kind.value, "at": period.first.isoformat()}


def _context(
    request: Request,
    db: SessionDep,
    user: User,
    hall_list: list[Hall],
    hall: Hall,
    region: bool,
    period: Period,
) -> dict[str, object]:
    return {
        "halls": access.halls_for_user(db, user),
        "hall": hall,
        "region": region,
        "hall_param": "all" if region else hall.id,
        "can_region": access.visible_hall(user) is None
        and len(access.halls_for_user(db, user)) > 1,
        "period": period,
        "period_query": urlencode(_period_query(period)),
        "kinds": [k.value for k in PeriodKind],
        "indicator_defs": INDICATORS,
    }


@router.get("/rankings")
def rankings_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: Text64 = None,
    subject: Text64 = None,
    period: Text64 = None,
    at: Text64 = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    sort: Text64 = None,
    desc: Text64 = None,
) -> Response:
    hall_list, found, region = _halls(db, user, hall)
    chosen = _period(period, at, first, last, found)
    try:
        who = rankings.Subject(subject or "counter")
        key = rankings.SortKey(sort or "rank")
    except ValueError:
        raise PageError(422, "Some of what was sent is not valid.") from None
    config = scoring_in_force(db, settings_of(request))
    ranked = rankings.ranking(db, hall_list, chosen, who, config, key, desc == "1")
    counts = hall_indicator_counts(db, hall_list, chosen)
    context = _context(request, db, user, hall_list, found, region, chosen)
    context.update(
        ranking=ranked,
        subject=who.value,
        sort=key.value,
        desc=desc == "1",
        indicators=indicators_of(counts),
        dimensions=config.dimension_codes,
    )
    return render(request, "rankings.html", context)


def _subject_of(
    db: SessionDep, user: User, kind: str, key: str
) -> tuple[rankings.Subject, str, Hall]:
    """A counter or staff member the user may see: (subject, name, hall); 404 otherwise."""
    if kind == "counter":
        counter = access.counter_for_user(db, user, key)
        hall = halls_repository.get_hall(db, counter.hall_id)
        assert hall is not None
        return rankings.Subject.COUNTER, counter.name, hall
    staff = halls_repository.get_staff(db, key)
    own = access.visible_hall(user)
    if staff is None or own not in (None, staff.hall_id):
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    hall = halls_repository.get_hall(db, staff.hall_id)
    assert hall is not None
    return rankings.Subject.STAFF, staff.name, hall


def _reason_labels(request: Request, db: SessionDep) -> dict[str, str]:
    lang = lang_of(request)
    return {r.code: r.label(lang) for r in reasons_in_force(db, settings_of(request))}


@router.get("/scores/{kind}/{key}")
def subject_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    kind: Annotated[str, Path(pattern="^(counter|staff)$")],
    key: Annotated[str, Path(max_length=64)],
    period: Text64 = None,
    at: Text64 = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """A counter's or staff member's page."""
    subject, name, hall = _subject_of(db, user, kind, key)
    chosen = _period(period, at, first, last, hall)
    config = scoring_in_force(db, settings_of(request))
    figures = detail.detail(db, hall, subject, key, chosen, config)
    context = _context(request, db, user, [hall], hall, False, chosen)
    context.update(
        d=figures,
        indicators=figures.indicators,
        name=name,
        kind=kind,
        key=key,
        dimensions=config.dimension_codes,
        reason_labels=_reason_labels(request, db),
        trace=urlencode({"hall": hall.id, kind: key, "all": "1", **_period_query(chosen)}),
        export_query=urlencode({"hall": hall.id, kind: key, **_period_query(chosen)}),
    )
    context["chart"] = chart_data(request, figures, config.dimension_codes)
    return render(request, "subject.html", context)


def _two(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def chart_data(request: Request, d: detail.Detail, dimensions: tuple[str, ...]) -> dict[str, Any]:
    """What the charts draw, as plain lists (the tables beside them show the same)."""
    means, prev = d.current.dimension_means, d.previous.dimension_means
    return {
        "mean": [_two(p.current.mean) for p in d.trend],
        "prev_mean": [_two(p.previous.mean) for p in d.trend],
        "dim_names": [gettext(request, f"dim_{c}") for c in dimensions],
        "dim_values": [_two(means.get(c)) for c in dimensions],
        "dim_prev": [_two(prev.get(c)) for c in dimensions],
        # [hour, weekday, count, mean] for each hour and weekday with ratings.
        "heat": [
            [h, day, cell.count, _two(cell.mean)]
            for day, hours in enumerate(d.heatmap)
            for h, cell in enumerate(hours)
            if cell.count
        ],
        "busy_hours": [any(d.heatmap[day][h].count for day in range(7)) for h in range(24)],
    }


@router.get("/compare")
def compare_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    subject: Text64 = None,
    ids: Annotated[list[str] | None, Query(alias="id", max_length=MAX_COMPARE)] = None,
    period: Text64 = None,
    at: Text64 = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """Two to six counters or staff side by side over the same period."""
    kind = "staff" if subject == "staff" else "counter"
    chosen_ids = list(dict.fromkeys(ids or []))
    if not 2 <= len(chosen_ids) <= MAX_COMPARE:
        raise PageError(422, "Choose two to six counters or staff members to compare.")
    config = scoring_in_force(db, settings_of(request))
    columns = []
    first_hall: Hall | None = None
    chosen: Period | None = None
    for key in chosen_ids:
        who, name, hall = _subject_of(db, user, kind, key[:64])
        if chosen is None:
            first_hall = hall
            chosen = _period(period, at, first, last, hall)
        figures = detail.detail(db, hall, who, key, chosen, config, latest_alerts=0)
        columns.append((key, name, figures))
    assert chosen is not None
    assert first_hall is not None
    context = _context(request, db, user, [first_hall], first_hall, False, chosen)
    context.update(columns=columns, kind=kind, dimensions=config.dimension_codes)
    return render(request, "compare.html", context)


@router.get("/comments")
def comments_page(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    hall: Text64 = None,
    counter: Text64 = None,
    staff: Text64 = None,
    level: Annotated[str | None, Query(max_length=1, pattern="^[1-5]?$")] = None,
    reason: Text64 = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=comments.MAX_QUERY)] = None,
    low: Text64 = None,
    every: Annotated[str | None, Query(alias="all", max_length=1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    period: Text64 = None,
    at: Text64 = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """Every comment (or, with all=1, every rating) for a filter, newest first, paged."""
    hall_list, found, region = _halls(db, user, hall)
    chosen = _period(period, at, first, last, found)
    if counter:
        access.counter_for_user(db, user, counter)
    if staff:
        _subject_of(db, user, "staff", staff)
    filt = comments.RatingFilter(
        halls=hall_list,
        period=chosen,
        counter_id=counter or None,
        staff_id=staff or None,
        level=int(level) if level else None,
        reason=reason or None,
        channel=channel or None,
        query=(q or "").strip(),
        with_comment=every != "1",
        low_only=low == "1",
    )
    found_page = comments.page_of(db, filt, page)
    context = _context(request, db, user, hall_list, found, region, chosen)
    params = {
        k: v
        for k, v in {
            "hall": "all" if region else found.id,
            "counter": counter or "",
            "staff": staff or "",
            "level": level or "",
            "reason": reason or "",
            "channel": channel or "",
            "q": filt.query,
            "low": "1" if filt.low_only else "",
            "all": "1" if not filt.with_comment else "",
            **_period_query(chosen),
        }.items()
        if v
    }
    context.update(
        result=found_page,
        filt=filt,
        counters=[c for h in hall_list for c in halls_repository.list_counters(db, h.id)],
        reason_labels=_reason_labels(request, db),
        base_query=urlencode({k: v for k, v in params.items() if k != "page"}),
        export_query=urlencode(
            {
                k: v
                for k, v in params.items()
                if k in ("hall", "counter", "staff", "period", "at", "from", "to")
            }
        ),
    )
    return render(request, "comments.html", context)


@router.get("/export/{kind}")
def export(
    request: Request,
    db: SessionDep,
    user: ConsoleUser,
    kind: Annotated[str, Path(pattern="^(ratings|rankings|alerts)$")],
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
    hall: Text64 = None,
    counter: Text64 = None,
    staff: Text64 = None,
    subject: Text64 = None,
    period: Text64 = None,
    at: Text64 = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """A CSV or XLSX file of the filter's ratings, ranking or alerts, streamed; logged."""
    hall_list, found, _region = _halls(db, user, hall)
    chosen = _period(period, at, first, last, found)
    if counter:
        access.counter_for_user(db, user, counter)
    if staff:
        _subject_of(db, user, "staff", staff)
    wanted = exports.ExportRequest(
        kind=exports.ExportKind(kind),
        fmt=exports.ExportFormat(fmt),
        halls=hall_list,
        period=chosen,
        counter_id=counter or None,
        staff_id=staff or None,
        subject=rankings.Subject.STAFF if subject == "staff" else rankings.Subject.COUNTER,
    )
    now = datetime.now(UTC)
    exports.record_export(db, wanted, now, user=user)
    config = scoring_in_force(db, settings_of(request))
    factory = request.app.state.session_factory
    hall_ids = [h.id for h in hall_list]

    def body() -> Iterator[bytes]:
        # Its own session: the request's has ended by the time the file streams.
        with factory() as own:
            fresh = [h for h in (halls_repository.get_hall(own, i) for i in hall_ids) if h]
            again = exports.ExportRequest(
                kind=wanted.kind,
                fmt=wanted.fmt,
                halls=fresh,
                period=wanted.period,
                counter_id=wanted.counter_id,
                staff_id=wanted.staff_id,
                subject=wanted.subject,
            )
            yield from exports.chunks(exports.export_rows(own, again, config, now), wanted.fmt)

    response = StreamingResponse(
        body(),
        media_type=exports.MEDIA_TYPES[wanted.fmt],
        headers={"Content-Disposition": f'attachment; filename="{wanted.filename()}"'},
    )
    finish(request, response)
    return response


@router.get("/public/{hall_id}")
def public_page(
    request: Request,
    db: SessionDep,
    hall_id: Annotated[str, Path(max_length=64)],
    period: Text64 = None,
    at: Text64 = None,
) -> Response:
    """A hall's public disclosure: indicators, counters' standings (only those with at
    least PUBLIC_MIN_RATINGS ratings) and rectifications done. No login, nothing personal."""
    hall = halls_repository.get_hall(db, hall_id)
    if hall is None or not hall.active:
        raise PageError(404, "There is nothing here, or it is not yours to see.")
    kind = period if period in ("month", "quarter") else "month"
    chosen = _period(kind, at, None, None, hall)
    config = scoring_in_force(db, settings_of(request))
    ranked = rankings.ranking(db, [hall], chosen, rankings.Subject.COUNTER, config)
    counts = hall_indicator_counts(db, [hall], chosen)
    shown = [row for row in ranked.rows if row.aggregate.count >= PUBLIC_MIN_RATINGS]
    start, end = chosen.utc_bounds(hall.timezone)
    rectified = db.execute(
        select(Counter.name, Alert.cause, Alert.rectified_at)
        .join(Counter, Counter.id == Alert.counter_id)
        .where(
            Counter.hall_id == hall.id,
            Alert.kind == AlertKind.LOW_SCORE.value,
            Alert.rectified_at >= start,
            Alert.rectified_at < end,
        )
        .order_by(Alert.rectified_at.desc())
    ).all()
    by_cause: dict[str, int] = {}
    for _name, cause, _at in rectified:
        by_cause[cause or "unclassified"] = by_cause.get(cause or "unclassified", 0) + 1
    return render(
        request,
        "public.html",
        {
            "hall": hall,
            "period": chosen,
            "indicators": indicators_of(counts) if counts.ratings >= PUBLIC_MIN_RATINGS else [],
            "indicator_defs": INDICATORS,
            "rows": shown,
            "hidden": len(ranked.rows) - len(shown),
            "min_ratings": PUBLIC_MIN_RATINGS,
            "rectified": len(rectified),
            "by_cause": sorted(by_cause.items(), key=lambda item: -item[1]),
        },
    )
