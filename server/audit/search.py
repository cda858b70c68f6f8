"""The audit log page's query: filter by who, what and period, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.models import AuditEntry

#: What the "what" filter offers: the first part of an action ("alert" for
#: "alert.acknowledge", "login" for "login" and "login.failed").
KINDS = (
    "login",
    "logout",
    "alert",
    "hall",
    "counter",
    "staff",
    "user",
    "content",
    "device",
    "export",
    "notify",
    "audit",
)


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_log(
    session: Session,
    *,
    who: str | None = None,
    what: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> LogPage:
    """Entries newest first: `who` is a username, `what` one of KINDS, `since` inclusive,
    `until` exclusive."""
    query = select(AuditEntry)
    if who:
        query = query.where(AuditEntry.username == who)
    if what:
        query = query.where(
            or_(
                AuditEntry.action == what, AuditEntry.action.startswith(f"{what}.", autoescape=True)
            )
        )
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return LogPage(list(rows), total, page, per_page)
