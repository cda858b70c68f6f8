"""Month figures, the 20% rule, points and closing, against hand-computed values.

The data (tests/server/month_data.py): c1 just above 20% low, c2 exactly 20%, c3 a small
counter, a staff member (s2) who moved from c1 to c2 mid-month, low scores closed with
causes inside and outside staff control, late answers, a rating arriving after the close.
Weights are seed 000's; every rating has the same stars in all five dimensions, so its
weighted score is its stars.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.content import service as content
from server.models import AuditEntry, Matter, MonthClose, Rectification, ServiceSession
from server.months import rectification, schedule
from server.months.handling import HandlingGroup, handling_time
from server.months.periods import parse_month, parse_period
from server.months.service import (
    MonthError,
    close_month,
    compute,
    month_view,
    months_due_for_closing,
    verify_month,
)
from server.settings import Settings
from tests.server.conftest import Hall
from tests.server.month_data import add_device, add_rating, add_session, build_month, local

D = Decimal
MAY = parse_month("2026-05")
AFTER = local(3, 9, month=6)


@pytest.fixture
def month(factory: sessionmaker[Session], hall: Hall) -> Hall:
    with factory.begin() as session:
        build_month(session, hall.device_id)
    return hall


def figures_of(factory: sessionmaker[Session], settings: Settings) -> dict[str, Any]:
    with factory() as session:
        return compute(session, settings, "h1", MAY, as_of=AFTER)


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def points_of(unit: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    p = unit["points"]
    return D(p["efficiency"]), D(p["satisfaction"]), D(p["total"])


def lines_of(unit: dict[str, Any]) -> dict[str, Decimal]:
    return {line["rule"]: D(line["points"]) for line in unit["points"]["lines"]}


def test_counter_figures_equal_the_hand_computed_ones(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    counters = by_id(figures_of(factory, settings)["counters"])
    c1, c2, c3 = counters["c1"], counters["c2"], counters["c3"]
    # c1: 23 fives and 7 twos.
    assert c1["ratings"] == 30
    assert D(c1["mean"]) == D(129) / 30
    assert D(c1["low_rate"]) == D(7) / 30
    assert D(c1["satisfaction_rate"]) == D(23) / 30
    assert c1["levels"] == {"1": 0, "2": 7, "3": 0, "4": 0, "5": 23}
    assert D(c1["dimension_means"]["efficiency"]) == D(129) / 30
    # c1's services: 8, 8, 12, 4 (s1) and 14, 14 (s2) minutes: 60 / 6 = 10; 5 of 6 in one visit.
    assert c1["services"] == 6
    assert D(c1["handling"]["mean_minutes"]) == 10
    assert D(c1["one_visit_rate"]) == D(5) / 6
    assert D(c1["participation_rate"]) == D(2) / 6
    # Low scores answered in time: s1's five, not s2's late one nor the open one.
    assert c1["low_answered_in_time"] == 5
    # c2: 24 fours and 6 ones.
    assert c2["ratings"] == 30
    assert D(c2["mean"]) == D(102) / 30
    assert D(c2["low_rate"]) == D("0.2")
    assert D(c2["handling"]["mean_minutes"]) == 10  # (12 + 8 + 5 x 10) / 7
    assert D(c2["one_visit_rate"]) == D(6) / 7
    assert c2["low_answered_in_time"] == 6
    # c3: three ones, no services.
    assert (c3["ratings"], D(c3["mean"]), c3["low_count"]) == (3, 1, 3)
    assert c3["handling"] is None
    assert c3["participation_rate"] is None


def test_the_twenty_percent_rule_needs_thirty_ratings_and_more_than_twenty_percent(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    figures = figures_of(factory, settings)
    counters = by_id(figures["counters"])
    assert counters["c1"]["judgement"] == "over_limit"  # 7 / 30 = 23.3%
    assert counters["c2"]["judgement"] == "within_limit"  # 6 / 30 = 20% exactly
    assert counters["c3"]["judgement"] == "too_few"  # 3 of 3 low, but only 3 ratings
    assert figures["judgements"] == {
        "too_few": ["c3"],
        "within_limit": ["c2"],
        "over_limit": ["c1"],
    }


def test_counter_points_equal_the_hand_computed_ones(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    counters = by_id(figures_of(factory, settings)["counters"])
    # c1: efficiency 100 (10 min, 83% one visit); satisfaction 100 + 0 (mean 4.3)
    # - 15 (5 of 7 answered in time); total 0.4 x 100 + 0.6 x 85 = 91.
    assert points_of(counters["c1"]) == (100, 85, 91)
    assert lines_of(counters["c1"]) == {
        "efficiency_base": 100,
        "handling_minutes": 0,
        "one_visit_rate": 0,
        "satisfaction_base": 100,
        "mean_rating": 0,
        "answered_in_time_rate": -15,
    }
    # c2: 100; 100 - 20 (mean 3.4) + 10 (6 of 6) = 90; 40 + 54 = 94.
    assert points_of(counters["c2"]) == (100, 90, 94)
    # c3: 100 (no services moves nothing); 100 - 20 (mean 1) - 15 (0 of 3) = 65; 40 + 39 = 79.
    assert points_of(counters["c3"]) == (100, 65, 79)


def test_staff_points_leave_out_low_scores_outside_their_control(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    staff = by_id(figures_of(factory, settings)["staff"])
    s1, s2, s3, s4 = staff["s1"], staff["s2"], staff["s3"], staff["s4"]
    # s1: 15 fives, 5 twos (one of them a system fault). Services 8, 8, 12, 4: mean 8,
    # 2 under the baseline: +4; all in one visit: +20 -> 124. Satisfaction basis without
    # the system low score: 19 ratings, 83 / 19 = 4.37 (no bonus), 4 of 4 answered: +10.
    assert (s1["ratings"], D(s1["mean"])) == (20, D("4.25"))
    assert s1["points"]["basis"]["ratings"] == 19
    assert D(s1["points"]["basis"]["mean"]) == D(83) / 19
    assert [e["cause"] for e in s1["points"]["basis"]["excluded"]] == ["system"]
    assert points_of(s1) == (124, 110, D("115.6"))
    assert lines_of(s1)["handling_minutes"] == 4
    assert lines_of(s1)["one_visit_rate"] == 20
    # s2 moved from c1 to c2: both counters' ratings and services are theirs.
    assert s2["counters"] == ["c1", "c2"]
    assert (s2["ratings"], D(s2["mean"])) == (20, D("3.9"))
    # Services 14, 14, 12, 8: mean 12, 2 over: -2; one visit 3 of 4 (75%): -30 -> 68.
    # The two facilities low scores go to the department: basis 18 ratings, 76 / 18
    # (no bonus); 0 of 2 answered in time (one late, one open): -15 -> 85.
    assert D(s2["handling"]["mean_minutes"]) == 12
    assert points_of(s2) == (68, 85, D("78.2"))
    assert s2["points"]["basis"]["low_count"] == 2
    # s3: 16 fours, 4 ones, one a misunderstanding (nobody's): basis 67 / 19 = 3.53 >= 3.5
    # (no penalty), 3 of 3 answered: +10 -> 110; services 10 min, 80% one visit -> 100.
    assert D(s3["points"]["basis"]["mean"]) == D(67) / 19
    assert points_of(s3) == (100, 110, 106)
    # s4 at the small counter: 100; 100 - 20 - 15 = 65 -> 79.
    assert points_of(s4) == (100, 65, 79)


def test_low_scores_with_causes_outside_staff_control_count_against_the_department(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    figures = figures_of(factory, settings)
    assert figures["department"] == {"low_scores": 3, "by_cause": {"facilities": 2, "system": 1}}
    charged = [row["charged_to"] for row in figures["low_scores"]]
    # s1's 4 staff, s2's late one and open one (not yet classed), s3's 3, s4's 3 unanswered.
    assert charged.count("staff") == 12
    assert charged.count("nobody") == 1


def test_ranking_and_the_formal_talk_list_of_counters_last_two_months_running(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    figures = figures_of(factory, settings)
    counters = by_id(figures["counters"])
    # Shrunk means with the pooled mean 234 / 63 as prior, 10 ratings' weight.
    prior = D(234) / 63
    assert D(counters["c1"]["shrunk_mean"]) == (10 * prior + 129) / 40
    assert [counters[c]["rank"] for c in ("c1", "c2", "c3")] == [1, 2, 3]
    assert figures["last_place"] == ["c3"]
    assert figures["formal_talks"] == ["c3"]  # last in April too


def test_handling_time_holds_each_matter_to_its_own_standard() -> None:
    standards = {"passport": D(20)}
    groups = [HandlingGroup("passport", 2, 2 * 25 * 60), HandlingGroup(None, 2, 2 * 6 * 60)]
    got = handling_time(groups, standards.get)
    assert got is not None
    # 25 min against 20 twice, 6 against the default 10 twice: (5 + 5 - 4 - 4) / 4.
    assert got.mean_over_standard == D("0.5")
    assert got.mean_minutes == D("15.5")
    assert got.mean_standard_minutes == 15
    assert handling_time([]) is None


def test_closing_stores_a_snapshot_that_late_ratings_never_change(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        with pytest.raises(MonthError, match="has not ended"):
            close_month(session, settings, "h1", "2026-05", now=local(31, 23))
        closed = close_month(session, settings, "h1", "2026-05", now=AFTER)
        published = closed.figures
    with factory.begin() as session, pytest.raises(MonthError, match="closed already"):
        close_month(session, settings, "h1", "2026-05", now=AFTER + timedelta(days=1))
    # An offline hall delivers a May rating on 10 June, after the close.
    with factory.begin() as session:
        late = add_rating(
            session, month.device_id, "c1", "s1", 1, local(20, 10), received_at=local(10, 9, 6)
        )
    with factory() as session:
        view = month_view(session, settings, "h1", MAY, local(11, 9, 6))
        assert view.closed is not None
        assert view.figures == published
        assert by_id(view.figures["counters"])["c1"]["ratings"] == 30
        june = compute(session, settings, "h1", parse_period("2026-06"), as_of=local(11, 9, 6))
        assert [(a["rating_id"], a["month"], a["counter_id"]) for a in june["adjustments"]] == [
            (late.id, "2026-05", "c1")
        ]
        result = verify_month(session, settings, "h1", "2026-05", now=local(11, 9, 6))
        assert result.ok, result.differences
        assert result.late_ratings == 1
        assert "counters[c1].ratings: 30 -> 31" in result.differences_now
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "month.close")).one()
        assert audit.object_id == "h1:2026-05"


def test_verify_sees_an_edited_snapshot(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        close_month(session, settings, "h1", "2026-05", now=AFTER)
    with factory.begin() as session:
        row = session.scalars(select(MonthClose)).one()
        edited = dict(row.figures)
        edited["counters"] = [dict(c) for c in row.figures["counters"]]
        edited["counters"][0]["ratings"] = 99
        row.figures = edited
    with factory() as session:
        result = verify_month(session, settings, "h1", "2026-05", now=AFTER)
        assert not result.digest_ok
        assert "counters[c1].ratings: 99 -> 30" in result.differences


def test_closing_opens_a_rectification_for_the_counter_over_the_limit_and_remeasures_it(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        close_month(session, settings, "h1", "2026-05", now=AFTER)
    with factory.begin() as session:
        order = session.scalars(select(Rectification)).one()
        assert (order.counter_id, order.month, order.state) == ("c1", "2026-05", "open")
        rectification.record_rectified(
            session,
            order,
            owner="科长 王",
            actions="礼仪培训",
            outcome="已培训",
            now=AFTER,
            user=None,
        )
    # Within the re-measure weeks, 30 ratings at c1 with 7 low on the order's dimension.
    with factory.begin() as session:
        for i in range(30):
            add_rating(
                session,
                month.device_id,
                "c1",
                "s1",
                2 if i < 7 else 5,
                local(5, 10, 6) + timedelta(minutes=i),
            )
    with factory.begin() as session:
        changed = rectification.remeasure(session, settings.default_scoring, local(8, 10, 6))
        assert [(o.counter_id, o.state, o.reopened) for o in changed] == [("c1", "open", 1)]


def test_a_month_is_due_for_closing_the_configured_days_after_it_ends(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory() as session:
        assert ("h1", "2026-05") not in months_due_for_closing(session, settings, local(5, 23, 6))
        assert ("h1", "2026-05") in months_due_for_closing(session, settings, local(6, 1, 6))


def test_the_month_job_closes_due_months_and_keeps_the_scheduled_reports(
    month: Hall, factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"report_dir": tmp_path / "reports"})
    done = schedule.run_once(factory, settings, local(8, 10, 6))
    # h1's May (h2 was made after May ended); May's report and the week of 1-7 June (Q1
    # ended before the hall was made on 1 April).
    assert done == {"closed": 1, "remeasured": 0, "reports": 4}
    kept = {(r.period, r.fmt) for r in schedule.stored_reports(settings, "h1")}
    assert kept == {(p, f) for p in ("2026-05", "2026-W23") for f in ("pdf", "xlsx")}
    with factory() as session:
        closed = session.scalars(select(MonthClose)).one()
        assert (closed.hall_id, closed.month, closed.closed_by) == ("h1", "2026-05", "auto")
    assert schedule.run_once(factory, settings, local(8, 11, 6)) == {
        "closed": 0,
        "remeasured": 0,
        "reports": 0,
    }


def test_a_month_is_computed_with_the_content_version_in_force_at_its_end(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        # In force on 31 May: a low score is below 2.0, so c1's 2.0s are no longer low.
        _, may = content.change_content(
            session, settings, low_score_below="2", by="test", now=local(10, 9)
        )
    with factory.begin() as session:
        # Made after the month ended: not May's rules.
        content.change_content(
            session, settings, low_score_below="4.5", by="test", now=local(2, 9, 6)
        )
    figures = figures_of(factory, settings)
    assert figures["config_version"] == may.version
    assert figures["rules"]["low_score_below"] == "2"
    c1 = by_id(figures["counters"])["c1"]
    assert (c1["low_count"], c1["judgement"]) == (0, "within_limit")
    assert by_id(figures["counters"])["c2"]["low_count"] == 6  # its 1.0s stay low


def test_a_matter_in_the_catalog_is_held_to_its_own_standard_and_cancelled_services_do_not_count(
    month: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        session.add(
            Matter(code="passport", name="护照", standard_minutes=20, created_at=datetime.now(UTC))
        )
        device = add_device(session, "c3")
        ids = [
            add_session(session, device, "c3", "s3", minutes, True, 12) for minutes in (15, 25, 3)
        ]
        for sid in ids:
            row = session.get(ServiceSession, sid)
            assert row is not None
            row.matter_code = "passport"
        cancelled = session.get(ServiceSession, ids[2])
        assert cancelled is not None
        cancelled.outcome, cancelled.finished_in_one_visit = "cancelled", None
    c3 = by_id(figures_of(factory, settings)["counters"])["c3"]
    # (15 + 25) / 2 = 20 minutes against the passport's 20; the 3-minute cancelled one is no
    # service. The other counters' matter-less services stay held to 10 minutes.
    assert c3["services"] == 2
    assert D(c3["handling"]["mean_minutes"]) == 20
    assert D(c3["handling"]["mean_standard_minutes"]) == 20
    assert D(c3["handling"]["mean_over_standard"]) == 0
    c1 = by_id(figures_of(factory, settings)["counters"])["c1"]
    assert D(c1["handling"]["mean_standard_minutes"]) == 10
