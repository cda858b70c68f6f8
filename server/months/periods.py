"""Periods a hall is judged over: months (closed and published), weeks and quarters
(summaries from the same machinery). Bounds are local days in the hall's timezone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class PeriodError(ValueError):
    """A period that cannot be read (`2026-13`, `2026-W60`)."""


class PeriodKind(StrEnum):
    MONTH = "month"
    WEEK = "week"
    QUARTER = "quarter"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """[start, end) in local days; `label` is `2026-05`, `2026-W19` or `2026-Q2`."""

    kind: PeriodKind
    label: str
    start: date
    end: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period's [start, end) as UTC instants for a hall in `zone`."""
        return _instant(self.start, zone), _instant(self.end, zone)

    def previous(self) -> Period:
        if self.kind is PeriodKind.MONTH:
            return month_of(self.start - timedelta(days=1))
        if self.kind is PeriodKind.WEEK:
            return week_of(self.start - timedelta(days=1))
        return quarter_of(self.start - timedelta(days=1))

    def next(self) -> Period:
        if self.kind is PeriodKind.MONTH:
            return month_of(self.end)
        if self.kind is PeriodKind.WEEK:
            return week_of(self.end)
        return quarter_of(self.end)


def _instant(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Period(PeriodKind.MONTH, f"{start:%Y-%m}", start, end)


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    year, week, _ = start.isocalendar()
    return Period(PeriodKind.WEEK, f"{year}-W{week:02d}", start, start + timedelta(days=7))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return Period(PeriodKind.QUARTER, f"{day.year}-Q{(first_month - 1) // 3 + 1}", start, end)


def parse_period(text: str) -> Period:
    """`2026-05` (a month), `2026-W19` (an ISO week) or `2026-Q2` (a quarter)."""
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            return month_of(date(int(match[1]), int(match[2]), 1))
        if match := _WEEK.match(text):
            return week_of(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        if match := _QUARTER.match(text):
            return quarter_of(date(int(match[1]), 3 * int(match[2]) - 2, 1))
    except ValueError:
        pass
    raise PeriodError(f"{text!r} is not a month (YYYY-MM), week (YYYY-Www) or quarter (YYYY-Qn)")


def parse_month(text: str) -> Period:
    period = parse_period(text)
    if period.kind is not PeriodKind.MONTH:
        raise PeriodError(f"{text!r} is not a month (YYYY-MM)")
    return period
