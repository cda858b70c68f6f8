"""Periods of local days a page or export asks for: a day, an ISO week, a month, a quarter
or a custom range, each with the period of the same length just before it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

#: The longest custom range a page computes (a year and a day, for leap years).
MAX_DAYS = 366


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


class PeriodError(ValueError):
    """A period that cannot be used (last before first, too long, unknown kind)."""


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period just before: the previous month or quarter, else as many days."""
        if self.kind is PeriodKind.MONTH:
            return month_of(self.first - timedelta(days=1))
        if self.kind is PeriodKind.QUARTER:
            return quarter_of(self.first - timedelta(days=1))
        return Period(
            self.kind, self.first - timedelta(days=self.days), self.first - timedelta(days=1)
        )

    def utc_bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC of these local days in `timezone`."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first, time(0), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def month_of(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(PeriodKind.MONTH, day.replace(day=1), day.replace(day=last))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    last_month = first_month + 2
    last = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return Period(PeriodKind.QUARTER, first, last)


def period_of(
    kind: str | None, anchor: date, first: date | None = None, last: date | None = None
) -> Period:
    """The period of `kind` holding `anchor` (a custom one runs from `first` to `last`)."""
    try:
        chosen = PeriodKind(kind or PeriodKind.MONTH.value)
    except ValueError:
        raise PeriodError(f"unknown period {kind!r}") from None
    if chosen is PeriodKind.DAY:
        return Period(chosen, anchor, anchor)
    if chosen is PeriodKind.WEEK:
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(chosen, monday, monday + timedelta(days=6))
    if chosen is PeriodKind.MONTH:
        return month_of(anchor)
    if chosen is PeriodKind.QUARTER:
        return quarter_of(anchor)
    if first is None or last is None:
        raise PeriodError("a custom period needs a first and a last day")
    if last < first:
        raise PeriodError("the last day is before the first")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(f"a period is at most {MAX_DAYS} days")
    return Period(chosen, first, last)
