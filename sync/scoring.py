"""The scoring rules: one definition, used by the kiosk and the server alike.

Everything numeric here comes from DESIGN.md (and from it, the seeds): dimension weights,
the five levels, the low-score rule, counter aggregates, the Bayesian-shrunk ranking mean
and the monthly points of seed 001. Weights and thresholds are configuration: a
`ScoringConfig` carries a `version`, and every rating records the version it was made with.

Arithmetic is exact (`Decimal`): a weighted score of exactly 3.0 is not a low score, and
combining aggregates is associative, so the kiosk, the server and a SQL rollup agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Self, TypeVar

Number = Decimal | int | float | str
_K = TypeVar("_K")


def _dec(value: Number) -> Decimal:
    """Exact decimal of a configured number; floats go through their shortest repr."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _number(key: str, value: Number) -> Decimal:
    """A configured number, or `ScoringConfigError` naming the setting."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise ScoringConfigError(f"{key} must be a number, got {value!r}")
    try:
        number = _dec(value)
    except ArithmeticError:
        raise ScoringConfigError(f"{key} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ScoringConfigError(f"{key} must be a finite number, got {value!r}")
    return number


@dataclass(frozen=True)
class Dimension:
    """One rated dimension of a service."""

    code: str
    name_zh: str
    name_en: str


ATTITUDE = Dimension("attitude", "服务态度", "Attitude")
EFFICIENCY = Dimension("efficiency", "办事效率", "Efficiency")
PROCESS = Dimension("process", "流程规范", "Process")
ENVIRONMENT = Dimension("environment", "环境与设施", "Environment")
OVERALL = Dimension("overall", "综合满意度", "Overall")

#: The five dimensions of protocol v1, in display order.
DIMENSIONS: tuple[Dimension, ...] = (ATTITUDE, EFFICIENCY, PROCESS, ENVIRONMENT, OVERALL)
DIMENSION_CODES: tuple[str, ...] = tuple(d.code for d in DIMENSIONS)

MIN_STARS = 1
MAX_STARS = 5


class Level(IntEnum):
    """The five levels of the national 好差评 scheme."""

    VERY_DISSATISFIED = 1
    DISSATISFIED = 2
    BASICALLY_SATISFIED = 3
    SATISFIED = 4
    VERY_SATISFIED = 5

    @property
    def name_zh(self) -> str:
        return _LEVEL_ZH[self]

    @property
    def name_en(self) -> str:
        return _LEVEL_EN[self]


_LEVEL_ZH = {
    Level.VERY_DISSATISFIED: "非常不满意",
    Level.DISSATISFIED: "不满意",
    Level.BASICALLY_SATISFIED: "基本满意",
    Level.SATISFIED: "满意",
    Level.VERY_SATISFIED: "非常满意",
}
_LEVEL_EN = {
    Level.VERY_DISSATISFIED: "Very dissatisfied",
    Level.DISSATISFIED: "Dissatisfied",
    Level.BASICALLY_SATISFIED: "Basically satisfied",
    Level.SATISFIED: "Satisfied",
    Level.VERY_SATISFIED: "Very satisfied",
}


class ScoringConfigError(ValueError):
    """A scoring configuration that cannot be used (weights not summing to 1, ...)."""


class ScoreError(ValueError):
    """Scores that are not one integer 1–5 for every configured dimension."""


@dataclass(frozen=True)
class PointsRules:
    """The monthly points of seed 001 (积分制考核). All numbers are configuration."""

    efficiency_base: Decimal = Decimal(100)
    baseline_minutes: Decimal = Decimal(10)
    over_baseline_cost_per_minute: Decimal = Decimal(1)
    under_baseline_gain_per_minute: Decimal = Decimal(2)
    one_visit_high_rate: Decimal = Decimal("0.90")
    one_visit_high_bonus: Decimal = Decimal(20)
    one_visit_low_rate: Decimal = Decimal("0.80")
    one_visit_low_penalty: Decimal = Decimal(30)

    satisfaction_base: Decimal = Decimal(100)
    mean_high: Decimal = Decimal("4.5")
    mean_high_bonus: Decimal = Decimal(30)
    mean_low: Decimal = Decimal("3.5")
    mean_low_penalty: Decimal = Decimal(20)
    answered_high_rate: Decimal = Decimal("0.90")
    answered_high_bonus: Decimal = Decimal(10)
    answered_low_rate: Decimal = Decimal("0.80")
    answered_low_penalty: Decimal = Decimal(15)
    no_low_score_bonus: Decimal = Decimal(50)

    efficiency_share: Decimal = Decimal("0.4")
    satisfaction_share: Decimal = Decimal("0.6")


@dataclass(frozen=True)
class ScoringConfig:
    """Weights and thresholds, versioned: ratings record the `version` they were made with."""

    version: str = "2024.1"
    weights: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "attitude": Decimal("0.20"),
            "efficiency": Decimal("0.30"),
            "process": Decimal("0.25"),
            "environment": Decimal("0.15"),
            "overall": Decimal("0.10"),
        }
    )
    #: A rating whose weighted score is below this is a low score (差评) and raises an alert.
    low_score_below: Decimal = Decimal(3)
    #: A rating at or above this counts towards the satisfaction rate.
    satisfied_from: Decimal = Decimal(4)
    #: A counter whose monthly low-score rate exceeds this must rectify.
    counter_low_rate_limit: Decimal = Decimal("0.20")
    #: Fewer ratings than this in a month: "too few ratings to judge", never failing.
    counter_min_ratings: int = 30
    #: How many ratings' worth of the prior mean a ranking adds (Bayesian shrinkage).
    ranking_prior_weight: Decimal = Decimal(10)
    #: The prior mean when no hall mean is known.
    ranking_prior_mean: Decimal = Decimal(4)
    #: Hours a supervisor has to answer a low-score alert.
    alert_deadline_hours: int = 24
    points: PointsRules = field(default_factory=PointsRules)

    def __post_init__(self) -> None:
        if not self.version:
            raise ScoringConfigError("a scoring configuration needs a version")
        weights = {code: _dec(w) for code, w in self.weights.items()}
        if not weights:
            raise ScoringConfigError("a scoring configuration needs at least one dimension")
        for code, weight in weights.items():
            if weight <= 0:
                raise ScoringConfigError(f"weight of {code!r} must be positive, got {weight}")
        total = sum(weights.values(), Decimal(0))
        if total != 1:
            raise ScoringConfigError(f"weights must sum to 1, they sum to {total}")
        object.__setattr__(self, "weights", weights)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Self:
        """Build a configuration from parsed TOML/JSON (numbers may be strings or floats)."""
        known = {f for f in cls.__dataclass_fields__ if f != "points"}
        unknown = set(data) - known - {"points"}
        if unknown:
            raise ScoringConfigError(f"unknown scoring settings: {', '.join(sorted(unknown))}")
        kwargs: dict[str, object] = {}
        for key, value in data.items():
            if key == "weights":
                if not isinstance(value, Mapping):
                    raise ScoringConfigError("weights must be a table of dimension = weight")
                kwargs[key] = {str(k): _number(f"weights.{k}", v) for k, v in value.items()}
            elif key == "points":
                if not isinstance(value, Mapping):
                    raise ScoringConfigError("points must be a table")
                bad = set(value) - set(PointsRules.__dataclass_fields__)
                if bad:
                    raise ScoringConfigError(f"unknown points settings: {', '.join(sorted(bad))}")
                kwargs[key] = PointsRules(
                    **{str(k): _number(f"points.{k}", v) for k, v in value.items()}
                )
            elif key in ("version",):
                kwargs[key] = str(value)
            elif key in ("alert_deadline_hours", "counter_min_ratings"):
                hours = _number(key, value)  # type: ignore[arg-type]
                if hours != hours.to_integral_value():
                    raise ScoringConfigError(f"{key} must be a whole number, got {value!r}")
                kwargs[key] = int(hours)
            else:
                kwargs[key] = _number(key, value)  # type: ignore[arg-type]
        return cls(**kwargs)  # type: ignore[arg-type]

    def rules_mapping(self) -> dict[str, object]:
        """Every setting, points included, as plain JSON that `from_mapping` reads back: what
        a closed month keeps of the rules it was computed with."""
        return {
            **self.to_mapping(),
            "ranking_prior_weight": str(self.ranking_prior_weight),
            "ranking_prior_mean": str(self.ranking_prior_mean),
            "counter_min_ratings": self.counter_min_ratings,
            "points": {
                name: str(getattr(self.points, name)) for name in PointsRules.__dataclass_fields__
            },
        }

    def to_mapping(self) -> dict[str, object]:
        """What a device needs of this configuration as plain JSON (numbers as strings, so
        they stay exact): the `scoring` block of enrollment and sync answers, read back by
        `from_mapping`."""
        return {
            "version": self.version,
            "weights": {code: str(w) for code, w in self.weights.items()},
            "low_score_below": str(self.low_score_below),
            "satisfied_from": str(self.satisfied_from),
            "counter_low_rate_limit": str(self.counter_low_rate_limit),
            "alert_deadline_hours": self.alert_deadline_hours,
        }


DEFAULT_CONFIG = ScoringConfig()

#: Where the scoring configuration stands in the `config` block of enrollment and sync answers.
CONFIG_BLOCK_KEY = "scoring"


def config_from_block(block: Mapping[str, object] | None) -> ScoringConfig | None:
    """The scoring configuration a server's `config` block carries, None when it carries
    none; `ScoringConfigError` when it carries one that cannot be used."""
    if not block or CONFIG_BLOCK_KEY not in block:
        return None
    data = block[CONFIG_BLOCK_KEY]
    if not isinstance(data, Mapping):
        raise ScoringConfigError("the scoring block must be a table")
    return ScoringConfig.from_mapping(data)


def validate_scores(scores: Mapping[str, int], config: ScoringConfig = DEFAULT_CONFIG) -> None:
    """Raise `ScoreError` unless `scores` holds one integer 1–5 for each configured dimension."""
    expected = set(config.dimension_codes)
    got = set(scores)
    if got != expected:
        missing = sorted(expected - got)
        extra = sorted(got - expected)
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unknown {', '.join(extra)}")
        raise ScoreError("scores: " + "; ".join(parts))
    for code, stars in scores.items():
        if isinstance(stars, bool) or not isinstance(stars, int):
            raise ScoreError(f"score of {code} must be an integer, got {stars!r}")
        if not MIN_STARS <= stars <= MAX_STARS:
            raise ScoreError(f"score of {code} must be 1–5, got {stars}")


def weighted_score(scores: Mapping[str, int], config: ScoringConfig = DEFAULT_CONFIG) -> Decimal:
    """Sum of weight x stars over the configured dimensions: 1.0–5.0, exact."""
    validate_scores(scores, config)
    return sum((w * scores[code] for code, w in config.weights.items()), Decimal(0))


def level_of(score: Number) -> Level:
    """The level of a weighted score: [1,2) 非常不满意 ... [4,5) 满意, 5 非常满意.

    Flooring keeps the levels consistent with the thresholds: below 3.0 (a low score) is
    exactly levels 1–2, and 4.0 or above (satisfied) is exactly levels 4–5.
    """
    value = _dec(score)
    if not MIN_STARS <= value <= MAX_STARS:
        raise ScoreError(f"a weighted score must be within 1–5, got {value}")
    return Level(min(MAX_STARS, math.floor(value)))


def is_low_score(score: Number, config: ScoringConfig = DEFAULT_CONFIG) -> bool:
    """A weighted score below the configured threshold (3.0) is a low score (差评)."""
    return _dec(score) < config.low_score_below


def is_satisfied(score: Number, config: ScoringConfig = DEFAULT_CONFIG) -> bool:
    return _dec(score) >= config.satisfied_from


@dataclass(frozen=True)
class Aggregate:
    """Counter aggregates over a period, kept as sums so that two can be combined exactly.

    `Aggregate.of(a) + Aggregate.of(b) == Aggregate.of(a + b)` for any two lists of ratings.
    """

    count: int = 0
    score_sum: Decimal = Decimal(0)
    dimension_sums: Mapping[str, int] = field(default_factory=dict)
    level_counts: Mapping[Level, int] = field(default_factory=dict)
    low_count: int = 0
    satisfied_count: int = 0

    @classmethod
    def of(
        cls, ratings: Iterable[Mapping[str, int]], config: ScoringConfig = DEFAULT_CONFIG
    ) -> Aggregate:
        """The aggregate of a collection of ratings' dimension scores."""
        total = cls()
        for scores in ratings:
            total = total.add(scores, config)
        return total

    def add(self, scores: Mapping[str, int], config: ScoringConfig = DEFAULT_CONFIG) -> Aggregate:
        score = weighted_score(scores, config)
        level = level_of(score)
        dims = dict(self.dimension_sums)
        for code in config.dimension_codes:
            dims[code] = dims.get(code, 0) + scores[code]
        levels = dict(self.level_counts)
        levels[level] = levels.get(level, 0) + 1
        return Aggregate(
            count=self.count + 1,
            score_sum=self.score_sum + score,
            dimension_sums=dims,
            level_counts=levels,
            low_count=self.low_count + is_low_score(score, config),
            satisfied_count=self.satisfied_count + is_satisfied(score, config),
        )

    def __add__(self, other: Aggregate) -> Aggregate:
        dims = dict(self.dimension_sums)
        for code, value in other.dimension_sums.items():
            dims[code] = dims.get(code, 0) + value
        levels = dict(self.level_counts)
        for level, n in other.level_counts.items():
            levels[level] = levels.get(level, 0) + n
        return Aggregate(
            count=self.count + other.count,
            score_sum=self.score_sum + other.score_sum,
            dimension_sums=dims,
            level_counts=levels,
            low_count=self.low_count + other.low_count,
            satisfied_count=self.satisfied_count + other.satisfied_count,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Aggregate):
            return NotImplemented
        return (
            self.count == other.count
            and self.score_sum == other.score_sum
            and _nonzero(self.dimension_sums) == _nonzero(other.dimension_sums)
            and _nonzero(self.level_counts) == _nonzero(other.level_counts)
            and self.low_count == other.low_count
            and self.satisfied_count == other.satisfied_count
        )

    def __hash__(self) -> int:
        return hash((self.count, self.score_sum, self.low_count, self.satisfied_count))

    @property
    def mean(self) -> Decimal | None:
        """Mean weighted score, or None with no ratings."""
        return self.score_sum / self.count if self.count else None

    @property
    def dimension_means(self) -> dict[str, Decimal]:
        if not self.count:
            return {}
        return {code: Decimal(total) / self.count for code, total in self.dimension_sums.items()}

    @property
    def level_distribution(self) -> dict[Level, int]:
        """Count of ratings at each level, all five levels present."""
        return {level: self.level_counts.get(level, 0) for level in Level}

    @property
    def low_rate(self) -> Decimal | None:
        """Share of low scores (below 3.0), or None with no ratings."""
        return Decimal(self.low_count) / self.count if self.count else None

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """Share of ratings at 4.0 or above, or None with no ratings."""
        return Decimal(self.satisfied_count) / self.count if self.count else None

    def must_rectify(self, config: ScoringConfig = DEFAULT_CONFIG) -> bool:
        """A counter whose (monthly) low-score rate exceeds the limit (20%) over at least
        the minimum sample (30 ratings) must rectify."""
        return judge_low_rate(self, config) is LowRateJudgement.OVER_LIMIT


class LowRateJudgement(StrEnum):
    """What the 20% rule says of a counter's month."""

    #: Fewer ratings than the minimum sample: listed, never failing.
    TOO_FEW = "too_few"
    WITHIN_LIMIT = "within_limit"
    OVER_LIMIT = "over_limit"


def judge_low_rate(
    aggregate: Aggregate, config: ScoringConfig = DEFAULT_CONFIG
) -> LowRateJudgement:
    """The 20% rule: too few ratings to judge below `counter_min_ratings`; otherwise over
    the limit when the low-score rate exceeds `counter_low_rate_limit`."""
    if aggregate.count < config.counter_min_ratings or aggregate.low_rate is None:
        return LowRateJudgement.TOO_FEW
    if aggregate.low_rate > config.counter_low_rate_limit:
        return LowRateJudgement.OVER_LIMIT
    return LowRateJudgement.WITHIN_LIMIT


def _nonzero(mapping: Mapping[_K, int]) -> dict[_K, int]:
    return {k: v for k, v in mapping.items() if v}


def shrunk_mean(
    aggregate: Aggregate, prior_mean: Number | None = None, config: ScoringConfig = DEFAULT_CONFIG
) -> Decimal:
    """Bayesian mean for ranking: (C x prior + sum) / (C + n).

    A counter with few ratings sits near the prior (the hall's mean); with many, near its
    own mean. Always show the raw mean and the count beside it.
    """
    prior = config.ranking_prior_mean if prior_mean is None else _dec(prior_mean)
    weight = config.ranking_prior_weight
    return (weight * prior + aggregate.score_sum) / (weight + aggregate.count)


@dataclass(frozen=True)
class RankedCounter:
    counter_id: str
    rank: int
    shrunk_mean: Decimal
    mean: Decimal | None
    count: int


def rank_counters(
    aggregates: Mapping[str, Aggregate], config: ScoringConfig = DEFAULT_CONFIG
) -> list[RankedCounter]:
    """Rank counters by shrunk mean (best first) with the pooled mean as prior.

    Ties share a rank (1, 2, 2, 4); among ties, the order is by counter id.
    """
    pooled = sum(aggregates.values(), Aggregate())
    prior = pooled.mean if pooled.mean is not None else config.ranking_prior_mean
    scored = sorted(
        ((shrunk_mean(agg, prior, config), cid, agg) for cid, agg in aggregates.items()),
        key=lambda item: (-item[0], item[1]),
    )
    ranked: list[RankedCounter] = []
    for position, (value, cid, agg) in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].shrunk_mean == value else position
        ranked.append(RankedCounter(cid, rank, value, agg.mean, agg.count))
    return ranked


@dataclass(frozen=True)
class Points:
    efficiency: Decimal
    satisfaction: Decimal

    def total(self, rules: PointsRules) -> Decimal:
        return (
            rules.efficiency_share * self.efficiency + rules.satisfaction_share * self.satisfaction
        )


@dataclass(frozen=True)
class PointsLine:
    """One step of a points computation: the rule applied, the figure it looked at, and
    the points it moved (0 when the figure sat between the thresholds)."""

    rule: str
    figure: Decimal | None
    points: Decimal


def efficiency_breakdown(
    average_minutes: Number | None,
    one_visit_rate: Number | None,
    rules: PointsRules = DEFAULT_CONFIG.points,
) -> list[PointsLine]:
    """Seed 001 效率积分, step by step: the base 100; -1 a minute over the 10-minute
    baseline, +2 a minute under; one-visit completion >= 90% +20, < 80% -30. A missing
    figure (no services) moves nothing."""
    lines = [PointsLine("efficiency_base", None, rules.efficiency_base)]
    if average_minutes is not None:
        minutes = _dec(average_minutes)
        delta = Decimal(0)
        if minutes > rules.baseline_minutes:
            delta = -(minutes - rules.baseline_minutes) * rules.over_baseline_cost_per_minute
        elif minutes < rules.baseline_minutes:
            delta = (rules.baseline_minutes - minutes) * rules.under_baseline_gain_per_minute
        lines.append(PointsLine("handling_minutes", minutes, delta))
    if one_visit_rate is not None:
        rate = _dec(one_visit_rate)
        delta = Decimal(0)
        if rate >= rules.one_visit_high_rate:
            delta = rules.one_visit_high_bonus
        elif rate < rules.one_visit_low_rate:
            delta = -rules.one_visit_low_penalty
        lines.append(PointsLine("one_visit_rate", rate, delta))
    return lines


def efficiency_points(
    average_minutes: Number | None,
    one_visit_rate: Number | None,
    rules: PointsRules = DEFAULT_CONFIG.points,
) -> Decimal:
    """Seed 001 效率积分: the sum of `efficiency_breakdown`."""
    return _total(efficiency_breakdown(average_minutes, one_visit_rate, rules))


def satisfaction_breakdown(
    mean_rating: Number | None,
    low_scores: int,
    low_scores_answered_in_time: int,
    rules: PointsRules = DEFAULT_CONFIG.points,
) -> list[PointsLine]:
    """Seed 001 满意度积分, step by step: the base 100; mean >= 4.5 +30, < 3.5 -20; low
    scores answered within the deadline >= 90% +10, < 80% -15; a month with no low score
    +50 (the answer rate then does not apply). No ratings: no mean and no "no low score"
    bonus either, so a counter nobody rated (or nobody was invited to rate) never tops the
    month for it.
    """
    if low_scores_answered_in_time > low_scores or low_scores < 0:
        raise ValueError("answered low scores must be between 0 and the number of low scores")
    lines = [PointsLine("satisfaction_base", None, rules.satisfaction_base)]
    if mean_rating is not None:
        mean = _dec(mean_rating)
        delta = Decimal(0)
        if mean >= rules.mean_high:
            delta = rules.mean_high_bonus
        elif mean < rules.mean_low:
            delta = -rules.mean_low_penalty
        lines.append(PointsLine("mean_rating", mean, delta))
    if low_scores == 0:
        if mean_rating is not None:  # no ratings: nothing to reward
            lines.append(PointsLine("no_low_score", Decimal(0), rules.no_low_score_bonus))
    else:
        rate = Decimal(low_scores_answered_in_time) / low_scores
        delta = Decimal(0)
        if rate >= rules.answered_high_rate:
            delta = rules.answered_high_bonus
        elif rate < rules.answered_low_rate:
            delta = -rules.answered_low_penalty
        lines.append(PointsLine("answered_in_time_rate", rate, delta))
    return lines


def satisfaction_points(
    mean_rating: Number | None,
    low_scores: int,
    low_scores_answered_in_time: int,
    rules: PointsRules = DEFAULT_CONFIG.points,
) -> Decimal:
    """Seed 001 满意度积分: the sum of `satisfaction_breakdown`."""
    return _total(
        satisfaction_breakdown(mean_rating, low_scores, low_scores_answered_in_time, rules)
    )


def _total(lines: Iterable[PointsLine]) -> Decimal:
    return sum((line.points for line in lines), Decimal(0))


def monthly_points(
    *,
    average_minutes: Number | None,
    one_visit_rate: Number | None,
    month: Aggregate,
    low_scores_answered_in_time: int,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> tuple[Points, Decimal]:
    """A counter's or staff member's points for a month and the total 0.4 x eff + 0.6 x sat."""
    rules = config.points
    points = Points(
        efficiency=efficiency_points(average_minutes, one_visit_rate, rules),
        satisfaction=satisfaction_points(
            month.mean, month.low_count, low_scores_answered_in_time, rules
        ),
    )
    return points, points.total(rules)


#: A matter's standard handling time when the catalog does not say (seed 001's baseline).
DEFAULT_STANDARD_MINUTES = 10


def participation_rate(rated_sessions: int, finished_sessions: int) -> Decimal | None:
    """参评率: rated sessions / finished sessions, or None when no session finished.

    A finished session is one that ended with a service (one visit, another visit or
    referred; not cancelled); a rated one is a finished session that got its (first,
    counted) rating, on the kiosk or a phone. The one place the figure is computed.
    """
    if rated_sessions < 0 or finished_sessions < 0:
        raise ValueError("counts of sessions cannot be negative")
    if rated_sessions > finished_sessions:
        raise ValueError("more rated sessions than finished sessions")
    if finished_sessions == 0:
        return None
    return Decimal(rated_sessions) / Decimal(finished_sessions)


def over_standard(handling_s: Number, standard_minutes: Number) -> bool:
    """Whether a service took longer than its matter's standard handling time."""
    return _dec(handling_s) > _dec(standard_minutes) * 60
