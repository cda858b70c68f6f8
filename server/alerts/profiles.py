"""Reading and storing halls' alert profiles (server/alerts/deadlines.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.alerts.deadlines import AlertProfile, WorkCalendar, default_profile
from server.errors import NotFound
from server.models import AlertProfileRow, Counter, Hall
from server.problems import Problem
from sync.scoring import ScoringConfig

SEPARATOR = "; "


class ProfileError(Problem):
    """A profile document that cannot be used; the message says why."""


def profile_for(session: Session, hall_id: str, config: ScoringConfig) -> AlertProfile:
    """The hall's stored profile, or the default one."""
    row = session.get(AlertProfileRow, hall_id)
    if row is None:
        return default_profile(config)
    return AlertProfile.model_validate(row.profile)


def clock_of_counter(
    session: Session, counter_id: str, config: ScoringConfig
) -> tuple[str, AlertProfile, WorkCalendar]:
    """The counter's hall, the hall's profile and its working-day calendar."""
    hall_id, zone = session.execute(
        select(Hall.id, Hall.timezone)
        .join(Counter, Counter.hall_id == Hall.id)
        .where(Counter.id == counter_id)
    ).one()
    profile = profile_for(session, hall_id, config)
    return hall_id, profile, WorkCalendar(ZoneInfo(zone), profile.closures)


def clock_of_hall(
    session: Session, hall_id: str, config: ScoringConfig
) -> tuple[AlertProfile, WorkCalendar]:
    zone = session.scalars(select(Hall.timezone).where(Hall.id == hall_id)).one_or_none()
    if zone is None:
        raise NotFound("hall")
    profile = profile_for(session, hall_id, config)
    return profile, WorkCalendar(ZoneInfo(zone), profile.closures)


def store_profile(session: Session, hall_id: str, document: object, now: datetime) -> AlertProfile:
    """Validate and store a hall's profile (new alerts use it; existing keep theirs)."""
    if session.get(Hall, hall_id) is None:
        raise NotFound("hall")
    try:
        profile = AlertProfile.model_validate(document)
    except ValidationError as exc:
        where = [".".join(str(part) for part in e["loc"]) for e in exc.errors()]
        said = [f"{place}: {e['msg']}" for place, e in zip(where, exc.errors(), strict=True)]
        raise ProfileError(SEPARATOR.join(said)) from None
    if not profile.stages:
        raise ProfileError("a profile needs at least one stage")
    if len({rule.stage for rule in profile.stages}) != len(profile.stages):
        raise ProfileError("each stage at most once")
    zone = session.scalars(select(Hall.timezone).where(Hall.id == hall_id)).one()
    calendar = WorkCalendar(ZoneInfo(zone), profile.closures)
    spans = [r.within for r in profile.stages] + [e.within for e in profile.escalation]
    try:
        for span in spans:
            calendar.add(now, span)
    except ValueError as exc:
        raise ProfileError(str(exc)) from None
    data = profile.model_dump(mode="json")
    row = session.get(AlertProfileRow, hall_id)
    if row is None:
        session.add(AlertProfileRow(hall_id=hall_id, profile=data, updated_at=now))
    else:
        row.profile = data
        row.updated_at = now
    session.flush()
    return profile
