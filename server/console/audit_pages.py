"""The audit log page (admins, auditors, inspectors): who did what, when, with the
object's state before and after; filtered by who, what and period, 50 entries a page."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import Response

from server.audit.search import KINDS, search_log
from server.console.web import ConsoleAuditReader, console_router, render, settings_of
from server.database import SessionDep
from server.users import admin as user_admin

router = console_router()

PER_PAGE = 50


#: A value longer than this is cut in the list (the database keeps it whole).
VALUE_CHARS = 160


def _show(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) for each field that differs; every field of a record that
    only has a before or an after."""
    old, new = before or {}, after or {}
    out = []
    for key in sorted(set(old) | set(new)):
        if before is not None and after is not None and old.get(key) == new.get(key):
            continue
        out.append(
            (
                key,
                _show(old[key]) if key in old else None,
                _show(new[key]) if key in new else None,
            )
        )
    return out


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/audit")
def audit_log(
    request: Request,
    db: SessionDep,
    user: ConsoleAuditReader,
    who: Annotated[str | None, Query(max_length=64)] = None,
    what: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(alias="object", max_length=64)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    zone_name = settings_of(request).default_timezone
    zone = ZoneInfo(zone_name)
    first, last = _day(since), _day(until)
    found = search_log(
        db,
        who=who or None,
        what=what if what in KINDS else None,
        object_id=object_id or None,
        since=datetime.combine(first, time(), zone) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
        page=page,
        per_page=PER_PAGE,
    )
    filters = {
        "who": who or "",
        "what": what if what in KINDS else "",
        "object": object_id or "",
        "from": first.isoformat() if first else "",
        "to": last.isoformat() if last else "",
    }
    return render(
        request,
        "audit.html",
        {
            "log": found,
            "filters": filters,
            "kinds": KINDS,
            "usernames": [u.username for u in user_admin.list_users(db)] + ["cli"],
            "tz": zone_name,
            "changes": changes,
            "bad_dates": bool((since and not first) or (until and not last)),
        },
    )
