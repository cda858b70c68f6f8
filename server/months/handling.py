"""Handling time against the matters' standards: the one function every figure and point
about handling time goes through.

A service's standard is its matter's standard handling minutes (事项标准办理时长) when the
catalog gives one, else the seed 001 baseline of 10 minutes. Sessions are summed per
matter in SQL (`HandlingGroup`), so a month of millions of services is a few rows here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

#: Seed 001: 基准为10分钟/件, for services whose matter has no standard of its own.
DEFAULT_STANDARD_MINUTES = Decimal(10)

#: Standard minutes of a matter code, or None when the catalog has none.
StandardOf = Callable[[str | None], Decimal | None]


def no_catalog(matter: str | None) -> Decimal | None:
    """No matter catalog: every service is held to the default standard."""
    return None


@dataclass(frozen=True)
class HandlingGroup:
    """Finished services of one matter: how many and their handling seconds summed."""

    matter: str | None
    services: int
    seconds: int


@dataclass(frozen=True)
class HandlingTime:
    """Mean handling minutes, the mean of the services' standards, and how far over (+) or
    under (-) their standards the services ran on average."""

    services: int
    mean_minutes: Decimal
    mean_standard_minutes: Decimal
    mean_over_standard: Decimal


def handling_time(
    groups: Iterable[HandlingGroup],
    standard_minutes: StandardOf = no_catalog,
    default_standard: Decimal = DEFAULT_STANDARD_MINUTES,
) -> HandlingTime | None:
    """Handling time of finished services against each one's standard; None with none.

    `standard_minutes(matter)` is where the matter catalog plugs in; a matter it does not
    know (or None) is held to `default_standard`.
    """
    services = 0
    seconds = 0
    standard_total = Decimal(0)
    for group in groups:
        if group.services <= 0:
            continue
        standard = standard_minutes(group.matter)
        standard = default_standard if standard is None else standard
        services += group.services
        seconds += group.seconds
        standard_total += standard * group.services
    if not services:
        return None
    mean_minutes = Decimal(seconds) / 60 / services
    mean_standard = standard_total / services
    return HandlingTime(services, mean_minutes, mean_standard, mean_minutes - mean_standard)
