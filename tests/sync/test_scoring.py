"""The scoring rules of DESIGN.md, by worked examples from the seeds and by properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.scoring import (
    CONFIG_BLOCK_KEY,
    DEFAULT_CONFIG,
    DIMENSION_CODES,
    Aggregate,
    Level,
    LowRateJudgement,
    ScoreError,
    ScoringConfig,
    ScoringConfigError,
    config_from_block,
    efficiency_points,
    is_low_score,
    judge_low_rate,
    level_of,
    monthly_points,
    over_standard,
    participation_rate,
    rank_counters,
    satisfaction_points,
    shrunk_mean,
    weighted_score,
)

stars = st.integers(min_value=1, max_value=5)
score_maps = st.fixed_dictionaries({code: stars for code in DIMENSION_CODES})


def scores(a: int, e: int, p: int, env: int, o: int) -> dict[str, int]:
    return dict(zip(DIMENSION_CODES, (a, e, p, env, o), strict=True))


def test_default_weights_are_those_of_seed_000() -> None:
    assert dict(DEFAULT_CONFIG.weights) == {
        "attitude": Decimal("0.20"),
        "efficiency": Decimal("0.30"),
        "process": Decimal("0.25"),
        "environment": Decimal("0.15"),
        "overall": Decimal("0.10"),
    }


@pytest.mark.parametrize(
    ("given_scores", "expected"),
    [
        (scores(5, 5, 5, 5, 5), Decimal("5.00")),
        (scores(1, 1, 1, 1, 1), Decimal("1.00")),
        # 0.2*4 + 0.3*3 + 0.25*5 + 0.15*2 + 0.1*4 = 0.8 + 0.9 + 1.25 + 0.3 + 0.4
        (scores(4, 3, 5, 2, 4), Decimal("3.65")),
        # efficiency weighs most: one star there costs 1.2 against all fives
        (scores(5, 1, 5, 5, 5), Decimal("3.80")),
    ],
)
def test_weighted_score_worked_examples(given_scores: dict[str, int], expected: Decimal) -> None:
    assert weighted_score(given_scores) == expected


@pytest.mark.parametrize(
    ("score", "level", "low"),
    [
        ("1.0", Level.VERY_DISSATISFIED, True),
        ("2.99", Level.DISSATISFIED, True),
        ("3.0", Level.BASICALLY_SATISFIED, False),
        ("3.99", Level.BASICALLY_SATISFIED, False),
        ("4.0", Level.SATISFIED, False),
        ("5.0", Level.VERY_SATISFIED, False),
    ],
)
def test_levels_and_the_low_score_rule_at_their_edges(score: str, level: Level, low: bool) -> None:
    assert level_of(score) is level
    assert is_low_score(score) is low


def test_a_score_of_exactly_three_is_not_low_despite_float_weights() -> None:
    # 0.2*3 + 0.3*3 + 0.25*3 + 0.15*3 + 0.1*3 is 2.9999999999999996 in binary floats
    assert weighted_score(scores(3, 3, 3, 3, 3)) == 3
    assert not is_low_score(weighted_score(scores(3, 3, 3, 3, 3)))


def test_level_names_follow_the_national_scheme() -> None:
    assert [lv.name_zh for lv in Level] == ["非常不满意", "不满意", "基本满意", "满意", "非常满意"]


@pytest.mark.parametrize(
    "bad",
    [
        scores(0, 3, 3, 3, 3),
        scores(6, 3, 3, 3, 3),
        {**scores(3, 3, 3, 3, 3), "attitude": 3.5},
        {**scores(3, 3, 3, 3, 3), "attitude": "5"},
        {**scores(3, 3, 3, 3, 3), "attitude": True},
        {code: 3 for code in DIMENSION_CODES[:4]},
        {**scores(3, 3, 3, 3, 3), "accessibility": 3},
    ],
)
def test_scores_outside_the_rules_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ScoreError):
        weighted_score(bad)


def test_weights_must_sum_to_one_and_be_positive() -> None:
    with pytest.raises(ScoringConfigError, match="sum to 1"):
        ScoringConfig(weights={"attitude": Decimal("0.5"), "overall": Decimal("0.4")})
    with pytest.raises(ScoringConfigError, match="positive"):
        ScoringConfig(weights={"attitude": Decimal("1.1"), "overall": Decimal("-0.1")})


def test_a_region_can_add_a_dimension_in_a_new_config_version() -> None:
    config = ScoringConfig.from_mapping(
        {
            "version": "2025.1-accessible",
            "weights": {
                "attitude": "0.2",
                "efficiency": "0.25",
                "process": "0.2",
                "environment": "0.15",
                "overall": "0.1",
                "accessibility": "0.1",
            },
        }
    )
    assert config.version == "2025.1-accessible"
    rated = {**scores(5, 5, 5, 5, 5), "accessibility": 1}
    assert weighted_score(rated, config) == Decimal("4.6")
    with pytest.raises(ScoreError, match="missing accessibility"):
        weighted_score(scores(5, 5, 5, 5, 5), config)


def test_unknown_settings_are_named_in_the_error() -> None:
    with pytest.raises(ScoringConfigError, match="low_score_bellow"):
        ScoringConfig.from_mapping({"low_score_bellow": 3})


@given(score_maps)
def test_weighted_score_stays_within_one_and_five(s: dict[str, int]) -> None:
    assert 1 <= weighted_score(s) <= 5


@given(score_maps, st.sampled_from(DIMENSION_CODES))
def test_weighted_score_is_monotone_in_every_dimension(s: dict[str, int], code: str) -> None:
    if s[code] < 5:
        better = {**s, code: s[code] + 1}
        assert weighted_score(better) > weighted_score(s)


@given(st.lists(score_maps, max_size=30), st.lists(score_maps, max_size=30))
def test_aggregating_parts_then_combining_equals_aggregating_the_union(
    a: list[dict[str, int]], b: list[dict[str, int]]
) -> None:
    assert Aggregate.of(a) + Aggregate.of(b) == Aggregate.of(a + b)


def test_counter_aggregate_figures() -> None:
    ratings = [scores(5, 5, 5, 5, 5), scores(4, 4, 4, 4, 4), scores(1, 2, 2, 1, 1)]
    agg = Aggregate.of(ratings)
    assert agg.count == 3
    # 5.0 + 4.0 + (0.2 + 0.6 + 0.5 + 0.15 + 0.1 = 1.55)
    assert agg.mean == Decimal("10.55") / 3
    assert agg.dimension_means["attitude"] == Decimal(10) / 3
    assert agg.dimension_means["efficiency"] == Decimal(11) / 3
    assert agg.level_distribution == {
        Level.VERY_DISSATISFIED: 1,
        Level.DISSATISFIED: 0,
        Level.BASICALLY_SATISFIED: 0,
        Level.SATISFIED: 1,
        Level.VERY_SATISFIED: 1,
    }
    assert agg.low_rate == Decimal(1) / 3
    assert agg.satisfaction_rate == Decimal(2) / 3


def test_an_empty_period_has_no_mean_and_no_rates() -> None:
    agg = Aggregate.of([])
    assert agg.count == 0
    assert agg.mean is None
    assert agg.low_rate is None
    assert agg.satisfaction_rate is None
    assert not agg.must_rectify()


@pytest.mark.parametrize(
    ("low", "total", "judgement"),
    [
        (6, 30, LowRateJudgement.WITHIN_LIMIT),  # exactly 20% is not over
        (7, 30, LowRateJudgement.OVER_LIMIT),
        (3, 3, LowRateJudgement.TOO_FEW),  # 100% of three ratings judges nothing
        (29, 29, LowRateJudgement.TOO_FEW),
        (0, 0, LowRateJudgement.TOO_FEW),
    ],
)
def test_a_counter_must_rectify_past_twenty_percent_low_scores_over_thirty_ratings(
    low: int, total: int, judgement: LowRateJudgement
) -> None:
    ratings = [scores(1, 1, 1, 1, 1)] * low + [scores(5, 5, 5, 5, 5)] * (total - low)
    aggregate = Aggregate.of(ratings)
    assert judge_low_rate(aggregate) is judgement
    assert aggregate.must_rectify() is (judgement is LowRateJudgement.OVER_LIMIT)


def test_the_minimum_sample_is_configuration_kept_in_the_rules_mapping() -> None:
    config = ScoringConfig.from_mapping({"version": "x", "counter_min_ratings": 3})
    assert Aggregate.of([scores(1, 1, 1, 1, 1)] * 3).must_rectify(config)
    again = ScoringConfig.from_mapping(config.rules_mapping())
    assert again == config


def test_shrinkage_keeps_a_single_perfect_rating_below_a_steady_counter() -> None:
    lucky = Aggregate.of([scores(5, 5, 5, 5, 5)])
    steady = Aggregate.of([scores(5, 5, 5, 5, 4)] * 200)  # 4.9 each
    poor = Aggregate.of([scores(3, 3, 3, 3, 3)] * 50)
    ranking = rank_counters({"lucky": lucky, "steady": steady, "poor": poor})
    assert [r.counter_id for r in ranking] == ["steady", "lucky", "poor"]
    assert [r.rank for r in ranking] == [1, 2, 3]
    top = ranking[0]
    assert top.mean == Decimal("4.90")
    assert top.count == 200
    # the raw mean stays visible beside the shrunk one
    assert ranking[1].mean == Decimal(5)
    assert ranking[1].shrunk_mean < Decimal(5)


def test_shrunk_mean_formula() -> None:
    agg = Aggregate.of([scores(5, 5, 5, 5, 5)] * 10)
    # (10 x 4 + 50) / (10 + 10)
    assert shrunk_mean(agg, prior_mean=4) == Decimal("4.5")


def test_equal_counters_share_a_rank() -> None:
    same = Aggregate.of([scores(4, 4, 4, 4, 4)] * 3)
    ranking = rank_counters({"b": same, "a": same, "c": Aggregate.of([scores(1, 1, 1, 1, 1)])})
    assert [(r.counter_id, r.rank) for r in ranking] == [("a", 1), ("b", 1), ("c", 3)]


def test_seed_001_efficiency_example_eight_minutes_ninety_five_percent() -> None:
    # 100 + (10 - 8) x 2 + 20
    assert efficiency_points(8, Decimal("0.95")) == 124


@pytest.mark.parametrize(
    ("minutes", "rate", "expected"),
    [
        (10, "0.85", 100),  # at the baseline, between the rate thresholds
        (15, "0.85", 95),  # five minutes over: -5
        (15, "0.79", 65),  # and under 80% one-visit: -30
        (12.5, "0.90", "117.5"),  # 2.5 over: -2.5; exactly 90%: +20
        (None, None, 100),  # no services this month: nothing moves
    ],
)
def test_efficiency_points(minutes: float | None, rate: str | None, expected: object) -> None:
    assert efficiency_points(minutes, rate) == Decimal(str(expected))


@pytest.mark.parametrize(
    ("mean", "low", "answered", "expected"),
    [
        ("4.6", 0, 0, 180),  # 100 + 30 + 50 (no low score month)
        ("4.5", 10, 9, 140),  # +30, 90% answered in time +10
        ("3.4", 10, 7, 65),  # -20, 70% answered -15
        ("4.0", 5, 4, 100),  # 80% answered: neither bonus nor penalty
        (None, 0, 0, 100),  # no ratings: no mean figure, and no "no low score" bonus either
    ],
)
def test_satisfaction_points(mean: str | None, low: int, answered: int, expected: int) -> None:
    assert satisfaction_points(mean, low, answered) == expected


def test_total_points_weigh_efficiency_four_tenths_and_satisfaction_six() -> None:
    month = Aggregate.of([scores(5, 5, 5, 5, 5)] * 20)
    points, total = monthly_points(
        average_minutes=8, one_visit_rate="0.95", month=month, low_scores_answered_in_time=0
    )
    assert points.efficiency == 124
    assert points.satisfaction == 180
    assert total == Decimal("0.4") * 124 + Decimal("0.6") * 180  # 157.6


def test_more_answered_than_low_scores_is_refused() -> None:
    with pytest.raises(ValueError, match="answered"):
        satisfaction_points("4.0", 1, 2)


def test_the_scoring_block_a_server_sends_reads_back_as_the_same_configuration() -> None:
    config = ScoringConfig.from_mapping(
        {
            "version": "2025.1",
            "weights": {
                "attitude": "0.4",
                "efficiency": "0.3",
                "process": "0.1",
                "environment": "0.1",
                "overall": "0.1",
            },
            "low_score_below": "3.5",
            "alert_deadline_hours": 48,
        }
    )
    block = {CONFIG_BLOCK_KEY: config.to_mapping(), "timezone": "Asia/Shanghai"}
    assert config_from_block(block) == config
    assert config_from_block({"timezone": "Asia/Shanghai"}) is None
    assert config_from_block(None) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weights": {"attitude": "abc"}}, "weights.attitude must be a number"),
        ({"low_score_below": "NaN"}, "low_score_below must be a finite number"),
        ({"alert_deadline_hours": 1.5}, "alert_deadline_hours must be a whole number"),
        ({"satisfied_from": True}, "satisfied_from must be a number"),
    ],
)
def test_a_setting_that_is_no_number_is_named_in_the_error(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ScoringConfigError, match=message):
        ScoringConfig.from_mapping(data)
    with pytest.raises(ScoringConfigError, match=message):
        config_from_block({CONFIG_BLOCK_KEY: data})


@pytest.mark.parametrize(
    ("rated", "finished", "expected"),
    [
        (0, 0, None),  # no finished session: no rate, not 0%
        (0, 7, Decimal(0)),
        (3, 4, Decimal("0.75")),
        (2, 3, Decimal(2) / Decimal(3)),  # 66.67%, kept exact
        (9, 9, Decimal(1)),
    ],
)
def test_participation_rate_is_rated_over_finished_sessions(
    rated: int, finished: int, expected: Decimal | None
) -> None:
    assert participation_rate(rated, finished) == expected


@pytest.mark.parametrize(("rated", "finished"), [(5, 4), (-1, 3), (1, -1)])
def test_participation_rate_refuses_impossible_counts(rated: int, finished: int) -> None:
    with pytest.raises(ValueError, match="sessions"):
        participation_rate(rated, finished)


@pytest.mark.parametrize(
    ("handling_s", "standard", "over"),
    [(600, 10, False), (601, 10, True), (719, 12, False), (721, 12, True)],
)
def test_over_standard_compares_handling_seconds_with_standard_minutes(
    handling_s: int, standard: int, over: bool
) -> None:
    assert over_standard(handling_s, standard) is over
