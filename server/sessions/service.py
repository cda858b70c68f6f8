"""Service sessions as people see them: the matter catalog kiosks receive, the roster
check, and a period's session figures per counter and staff member (participation rate
参评率, handling time against the matter's standard, one-visit rate).

Every figure is computed by `sync.scoring` (`participation_rate`, `over_standard`); this
module only counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from server.models import EXCLUDED_FLAGS_MASK, SCORE_SCALE, Matter, ServiceSession
from server.sessions import repository
from sync.protocol import Matter as WireMatter
from sync.protocol import Outcome
from sync.scoring import DEFAULT_STANDARD_MINUTES, over_standard, participation_rate

#: The key of the matter catalog in the config block kiosks receive.
MATTERS_KEY = "matters"


def matter_catalog(session: Session) -> list[dict[str, Any]]:
    """The active matters as the config block carries them (protocol `Matter`)."""
    return [
        {"code": m.code, "name": m.name, "standard_minutes": m.standard_minutes}
        for m in repository.list_matters(session)
    ]


class MatterError(ValueError):
    """A matter that cannot be stored as given; the message says why."""


def put_matter(
    session: Session,
    code: str,
    name: str,
    standard_minutes: int = DEFAULT_STANDARD_MINUTES,
    *,
    active: bool = True,
    now: datetime,
) -> Matter:
    """Add a matter to the catalog, or change its name, standard time or state."""
    try:
        WireMatter(code=code, name=name, standard_minutes=standard_minutes)
    except ValueError as exc:
        raise MatterError(str(exc).splitlines()[-1].strip() if str(exc) else "invalid") from None
    matter = repository.get_matter(session, code)
    if matter is None:
        matter = Matter(
            code=code,
            name=name,
            standard_minutes=standard_minutes,
            active=active,
            created_at=now,
        )
        session.add(matter)
    else:
        matter.name = name
        matter.standard_minutes = standard_minutes
        matter.active = active
    session.flush()
    return matter


def handling_seconds(
    started_at: datetime, ended_at: datetime | None, outcome: str | None
) -> int | None:
    """A session's handling time, or None: still open, cancelled, or ended "before" it
    started (a device clock stepped back during the service)."""
    if ended_at is None or outcome == Outcome.CANCELLED:
        return None
    seconds = (ended_at - started_at).total_seconds()
    return round(seconds) if seconds >= 0 else None


@dataclass
class SessionFigures:
    """One counter's or staff member's services over a period."""

    #: Sessions that ended with a service (not cancelled).
    finished: int = 0
    #: Finished sessions that have their (first, counted) rating.
    rated: int = 0
    one_visit: int = 0
    cancelled: int = 0
    #: Finished sessions with a handling time, and their sum in seconds.
    timed: int = 0
    handling_s_sum: int = 0
    #: Timed sessions over their matter's standard handling time.
    over_standard: int = 0
    unknown_staff: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    @property
    def participation_rate(self) -> Decimal | None:
        """参评率: rated / finished (sync.scoring.participation_rate)."""
        return participation_rate(self.rated, self.finished)

    @property
    def one_visit_rate(self) -> Decimal | None:
        return Decimal(self.one_visit) / self.finished if self.finished else None

    @property
    def mean_handling_minutes(self) -> Decimal | None:
        if not self.timed:
            return None
        return Decimal(self.handling_s_sum) / self.timed / 60

    def add(self, item: ServiceSession, rated: bool, standard_minutes: int | None) -> None:
        if item.outcome == Outcome.CANCELLED:
            self.cancelled += 1
            return
        if item.ended_at is None:
            return
        self.finished += 1
        self.rated += int(rated)
        self.one_visit += int(bool(item.finished_in_one_visit))
        self.unknown_staff += int(item.unknown_staff)
        outcome = item.outcome or "unknown"
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1
        if item.handling_s is not None:
            self.timed += 1
            self.handling_s_sum += item.handling_s
            standard = standard_minutes or DEFAULT_STANDARD_MINUTES
            self.over_standard += int(over_standard(item.handling_s, standard))


@dataclass
class PeriodSessions:
    """Session figures per counter and per (counter, staff member) over one period."""

    counters: dict[str, SessionFigures]
    staff: dict[tuple[str, str | None], SessionFigures]


def session_figures(
    session: Session, counter_ids: Collection[str], since: datetime, until: datetime
) -> PeriodSessions:
    """The counters' session figures for sessions that ended in [since, until)."""
    return tally(repository.sessions_between(session, counter_ids, since, until))


def tally(rows: Iterable[tuple[ServiceSession, str | None, int | None]]) -> PeriodSessions:
    counters: dict[str, SessionFigures] = defaultdict(SessionFigures)
    staff: dict[tuple[str, str | None], SessionFigures] = defaultdict(SessionFigures)
    for item, rating_id, standard in rows:
        rated = rating_id is not None
        counters[item.counter_id].add(item, rated, standard)
        staff[(item.counter_id, item.staff_id)].add(item, rated, standard)
    return PeriodSessions(dict(counters), dict(staff))


@dataclass(frozen=True)
class SessionRow:
    """One session as a list shows it (text already formatted)."""

    id: str
    ended_at: str | None
    ticket: str | None
    staff: str | None
    matter: str | None
    outcome: str | None
    #: "12.5 min" (with "> std" past the matter's standard), or "-".
    handling: str
    #: The counted rating's weighted score, "excluded" copies after it, or "unrated".
    rating: str


@dataclass(frozen=True)
class SessionReport:
    rows: list[SessionRow]
    #: ("counter c1", figures), ("staff s-001", figures), ...
    figures: list[tuple[str, SessionFigures]]


def session_report(
    session: Session, counter_id: str, days: int, now: datetime, *, limit: int = 50
) -> SessionReport:
    """A counter's sessions that ended in the last `days` days, newest first, and its
    figures per counter and staff member."""
    rows = repository.sessions_between(session, [counter_id], now - timedelta(days=days), now)
    period = tally(rows)
    listed: list[SessionRow] = []
    for item, _, standard in reversed(rows[-limit:] if limit else rows):
        ratings = repository.ratings_of_session(session, item.id)
        counted = [r for r in ratings if not r.flags & EXCLUDED_FLAGS_MASK]
        excluded = len(ratings) - len(counted)
        if counted:
            rating = f"{counted[0].weighted_score / SCORE_SCALE:.2f} ({counted[0].channel})"
        else:
            rating = "unrated"
        if excluded:
            rating += f" +{excluded} excluded"
        handling = "-"
        if item.handling_s is not None:
            handling = f"{item.handling_s / 60:.1f} min"
            if over_standard(item.handling_s, standard or DEFAULT_STANDARD_MINUTES):
                handling += " > std"
        listed.append(
            SessionRow(
                id=item.id,
                ended_at=item.ended_at.isoformat(timespec="seconds") if item.ended_at else None,
                ticket=item.ticket,
                staff=item.staff_id + (" (unknown)" if item.unknown_staff else "")
                if item.staff_id
                else None,
                matter=item.matter_code,
                outcome=item.outcome,
                handling=handling,
                rating=rating,
            )
        )
    figures = [(f"counter {cid}", f) for cid, f in sorted(period.counters.items())]
    figures += [
        (f"staff {sid or '-'}", f)
        for (_, sid), f in sorted(period.staff.items(), key=lambda kv: kv[0][1] or "")
    ]
    return SessionReport(listed, figures)
