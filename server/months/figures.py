"""A period's figures and points per counter and staff member, computed from raw ratings,
alerts and service sessions with the rules of sync/scoring.py.

`compute_period` is the one computation behind the Month and Points pages, the reports,
`month close` and `month verify`. Its result is plain JSON (decimals as exact strings) so
that a closed month stores exactly what was shown, and a recomputation compares equal.

Who is charged with a low score: the cause its alert was closed with decides. Staff
conduct (or no cause yet) is the staff member's; process/policy, system, waiting and
facilities are the owning department's; a misunderstanding or an unverifiable complaint
is nobody's. The counter's own figures keep every rating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.models import SCORE_SCALE, AlertCause
from server.months import repository
from server.months.handling import (
    HandlingGroup,
    HandlingTime,
    StandardOf,
    handling_time,
    no_catalog,
)
from server.months.periods import Period, PeriodKind
from server.months.repository import LowScoreRow, RatingSums, SessionSums
from sync.scoring import (
    DIMENSION_CODES,
    Aggregate,
    Level,
    LowRateJudgement,
    PointsLine,
    ScoringConfig,
    efficiency_breakdown,
    judge_low_rate,
    rank_counters,
    satisfaction_breakdown,
)

Json = dict[str, Any]

#: Causes outside a staff member's control: they count against the owning department.
DEPARTMENT_CAUSES = frozenset(
    {AlertCause.PROCESS, AlertCause.SYSTEM, AlertCause.WAITING, AlertCause.FACILITIES}
)
#: Causes that count against nobody (the citizen misunderstood; nothing to verify).
NOBODY_CAUSES = frozenset({AlertCause.MISUNDERSTANDING, AlertCause.NOT_VERIFIABLE})


def charged_to(cause: str | None) -> str:
    """ "staff", "department" or "nobody": who a low score closed with `cause` counts
    against. A low score not yet classed counts against the staff member until it is."""
    if cause in DEPARTMENT_CAUSES:
        return "department"
    if cause in NOBODY_CAUSES:
        return "nobody"
    return "staff"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def answered_in_time(row: LowScoreRow, as_of: datetime) -> bool:
    """A low score answered in time: its alert closed (result recorded) by the close stage's
    deadline, and by `as_of`. A low score without an alert was never answered."""
    closed = row.alert_closed_at
    if closed is None or closed > as_of:
        return False
    deadline = row.alert_due_at
    if row.alert_stage_due and "close" in row.alert_stage_due:
        deadline = datetime.fromisoformat(str(row.alert_stage_due["close"]))
    return deadline is not None and closed <= deadline


def _cause_known(row: LowScoreRow, as_of: datetime) -> str | None:
    """The cause as it stood at `as_of` (set when the alert closed)."""
    if row.alert_closed_at is None or row.alert_closed_at > as_of:
        return None
    return row.cause


@dataclass
class _Unit:
    """What is summed of one counter or staff member."""

    sums: list[RatingSums] = field(default_factory=list)
    sessions: list[SessionSums] = field(default_factory=list)
    lows: list[LowScoreRow] = field(default_factory=list)
    counters: set[str] = field(default_factory=set)

    def aggregate(self) -> Aggregate:
        total = Aggregate()
        for s in self.sums:
            total = total + Aggregate(
                count=s.count,
                score_sum=Decimal(s.score_sum) / SCORE_SCALE,
                dimension_sums=s.dimension_sums,
                level_counts=s.level_counts,
                low_count=s.low_count,
                satisfied_count=s.satisfied_count,
            )
        return total


def _rate(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / whole if whole else None


def _lines(part: str, lines: Iterable[PointsLine]) -> list[Json]:
    return [
        {"part": part, "rule": line.rule, "figure": _dec(line.figure), "points": str(line.points)}
        for line in lines
    ]


def _handling_json(handling: HandlingTime | None) -> Json | None:
    if handling is None:
        return None
    return {
        "services": handling.services,
        "mean_minutes": str(handling.mean_minutes),
        "mean_standard_minutes": str(handling.mean_standard_minutes),
        "mean_over_standard": str(handling.mean_over_standard),
    }


def _unit_json(
    unit: _Unit,
    *,
    as_of: datetime,
    config: ScoringConfig,
    standard_of: StandardOf,
    staff_member: bool,
) -> Json:
    """Figures and points of one counter or staff member."""
    rules = config.points
    agg = unit.aggregate()
    with_session = sum(s.with_session for s in unit.sums)
    services = sum(s.services for s in unit.sessions)
    known = sum(s.one_visit_known for s in unit.sessions)
    yes = sum(s.one_visit_yes for s in unit.sessions)
    handling = handling_time(
        (HandlingGroup(s.matter, s.finished, s.seconds) for s in unit.sessions),
        standard_of,
        default_standard=rules.baseline_minutes,
    )
    answered = sum(answered_in_time(row, as_of) for row in unit.lows)
    one_visit_rate = _rate(yes, known)

    # Points: the satisfaction basis of a staff member leaves out low scores charged to
    # the department or to nobody; a counter's keeps everything.
    excluded = [
        row for row in unit.lows if staff_member and charged_to(_cause_known(row, as_of)) != "staff"
    ]
    basis_count = agg.count - len(excluded)
    basis_sum = agg.score_sum - sum(
        (Decimal(row.weighted) / SCORE_SCALE for row in excluded), Decimal(0)
    )
    basis_low = agg.low_count - len(excluded)
    excluded_ids = {row.rating_id for row in excluded}
    basis_answered = sum(
        answered_in_time(row, as_of) for row in unit.lows if row.rating_id not in excluded_ids
    )
    basis_mean = basis_sum / basis_count if basis_count else None
    # Seed 001's baseline comparison, with each service held to its own standard.
    minutes_for_points = (
        None if handling is None else rules.baseline_minutes + handling.mean_over_standard
    )
    eff = efficiency_breakdown(minutes_for_points, one_visit_rate, rules)
    sat = satisfaction_breakdown(basis_mean, basis_low, basis_answered, rules)
    efficiency = sum((line.points for line in eff), Decimal(0))
    satisfaction = sum((line.points for line in sat), Decimal(0))
    total = rules.efficiency_share * efficiency + rules.satisfaction_share * satisfaction
    return {
        "ratings": agg.count,
        "mean": _dec(agg.mean),
        "dimension_means": {code: str(v) for code, v in agg.dimension_means.items()},
        "levels": {str(int(lv)): n for lv, n in agg.level_distribution.items()},
        "satisfaction_rate": _dec(agg.satisfaction_rate),
        "low_count": agg.low_count,
        "low_rate": _dec(agg.low_rate),
        "services": services,
        "rated_services": with_session,
        "participation_rate": _dec(_rate(min(with_session, services), services)),
        "low_answered_in_time": answered,
        "low_answered_rate": _dec(_rate(answered, agg.low_count)),
        "handling": _handling_json(handling),
        "one_visit_known": known,
        "one_visit_yes": yes,
        "one_visit_rate": _dec(one_visit_rate),
        "points": {
            "efficiency": str(efficiency),
            "satisfaction": str(satisfaction),
            "total": str(total),
            "basis": {
                "ratings": basis_count,
                "mean": _dec(basis_mean),
                "low_count": basis_low,
                "low_answered_in_time": basis_answered,
                "excluded": [
                    {"rating_id": row.rating_id, "cause": _cause_known(row, as_of)}
                    for row in excluded
                ],
            },
            "lines": _lines("efficiency", eff) + _lines("satisfaction", sat),
        },
        "_aggregate": agg,
    }


def last_place(counters: Sequence[Json]) -> list[str]:
    """Counters ranked last (ties share the place) among those with ratings."""
    ranked = [c for c in counters if c.get("rank") is not None]
    if not ranked:
        return []
    worst = max(int(c["rank"]) for c in ranked)
    return sorted(c["id"] for c in ranked if c["rank"] == worst)


def compute_period(
    session: Session,
    hall_id: str,
    period: Period,
    *,
    as_of: datetime,
    config: ScoringConfig,
    zone: ZoneInfo,
    standard_of: StandardOf = no_catalog,
    previous_last_place: Sequence[str] | None = None,
    summary_only: bool = False,
) -> Json:
    """Everything the period's pages and reports show, computed from what the server had
    received by `as_of`. `previous_last_place` (the counters last in the previous month's
    ranking) turns on the formal-talk (约谈) list. `summary_only` leaves out the counters
    and staff (a trend needs the hall's totals only)."""
    hall = repository.hall(session, hall_id)
    if hall is None:
        raise LookupError(f"no hall {hall_id!r}")
    start, end = period.bounds(zone)
    counters = repository.counters(session, hall_id)
    counter_ids = [c.id for c in counters]
    staff_rows = [] if summary_only else repository.staff(session, hall_id)
    sums = repository.rating_sums(session, counter_ids, start, end, as_of, config)
    sessions = repository.session_sums(session, counter_ids, start, end, as_of)
    lows = repository.low_scores(session, counter_ids, start, end, as_of, config)

    by_counter: dict[str, _Unit] = defaultdict(_Unit)
    by_staff: dict[str, _Unit] = defaultdict(_Unit)
    for s in sums:
        by_counter[s.counter_id].sums.append(s)
        if s.staff_id is not None:
            by_staff[s.staff_id].sums.append(s)
            by_staff[s.staff_id].counters.add(s.counter_id)
    for ss in sessions:
        by_counter[ss.counter_id].sessions.append(ss)
        if ss.staff_id is not None:
            by_staff[ss.staff_id].sessions.append(ss)
            by_staff[ss.staff_id].counters.add(ss.counter_id)
    for row in lows:
        by_counter[row.counter_id].lows.append(row)
        if row.staff_id is not None:
            by_staff[row.staff_id].lows.append(row)

    common = {"as_of": as_of, "config": config, "standard_of": standard_of}
    counter_json: list[Json] = []
    for counter in [] if summary_only else counters:
        unit = _unit_json(by_counter[counter.id], staff_member=False, **common)  # type: ignore[arg-type]
        counter_json.append({"id": counter.id, "name": counter.name, **unit})
    aggregates = {c["id"]: c["_aggregate"] for c in counter_json if c["ratings"]}
    ranking = {r.counter_id: r for r in rank_counters(aggregates, config)}
    judged: dict[str, list[str]] = {j.value: [] for j in LowRateJudgement}
    for c in counter_json:
        agg: Aggregate = c.pop("_aggregate")
        r = ranking.get(c["id"])
        c["rank"] = None if r is None else r.rank
        c["shrunk_mean"] = None if r is None else str(r.shrunk_mean)
        judgement = judge_low_rate(agg, config)
        c["judgement"] = judgement.value
        judged[judgement.value].append(c["id"])
        means = agg.dimension_means
        c["weakest_dimension"] = (
            min(DIMENSION_CODES, key=lambda d: (means[d], d)) if means else None
        )

    names = {s.id: s.name for s in staff_rows}
    usual = {s.id: s.counter_id for s in staff_rows}
    staff_json: list[Json] = []
    staff_ids = set(by_staff) | {s.id for s in staff_rows if s.active}
    for staff_id in [] if summary_only else sorted(staff_ids):
        unit_data = by_staff[staff_id]
        unit = _unit_json(unit_data, staff_member=True, **common)  # type: ignore[arg-type]
        unit.pop("_aggregate")
        staff_json.append(
            {
                "id": staff_id,
                "name": names.get(staff_id, staff_id),
                "usual_counter": usual.get(staff_id),
                "counters": sorted(unit_data.counters),
                **unit,
            }
        )

    hall_unit = _Unit(sums=sums, sessions=sessions, lows=lows)
    totals = _unit_json(hall_unit, staff_member=False, **common)  # type: ignore[arg-type]
    totals.pop("_aggregate")
    totals.pop("points")

    low_json: list[Json] = []
    department: dict[str, int] = defaultdict(int)
    for row in lows:
        cause = _cause_known(row, as_of)
        who = charged_to(cause)
        if who == "department":
            department[str(cause)] += 1
        low_json.append(
            {
                "rating_id": row.rating_id,
                "counter_id": row.counter_id,
                "staff_id": row.staff_id,
                "occurred_at": row.occurred_at.isoformat(),
                "score": str(Decimal(row.weighted) / SCORE_SCALE),
                "alert_id": row.alert_id,
                "state": None if row.alert_state is None else row.alert_state,
                "closed_at": None
                if row.alert_closed_at is None or row.alert_closed_at > as_of
                else row.alert_closed_at.isoformat(),
                "cause": cause,
                "charged_to": who,
                "answered_in_time": answered_in_time(row, as_of),
            }
        )

    last = last_place(counter_json)
    talks = (
        sorted(set(last) & set(previous_last_place))
        if previous_last_place is not None and period.kind is PeriodKind.MONTH
        else []
    )
    return {
        "hall": {"id": hall.id, "name": hall.name, "timezone": zone.key},
        "period": {
            "kind": period.kind.value,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": as_of.isoformat(),
        "config_version": config.version,
        "rules": config.rules_mapping(),
        "totals": totals,
        "counters": counter_json,
        "staff": staff_json,
        "low_scores": low_json,
        "department": {
            "low_scores": sum(department.values()),
            "by_cause": dict(sorted(department.items())),
        },
        "judgements": judged,
        "last_place": last,
        "formal_talks": talks,
    }


def level_names() -> Mapping[str, str]:
    return {str(int(lv)): lv.name_zh for lv in Level}
