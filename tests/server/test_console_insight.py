"""Rankings, the counter and staff pages, comments, exports and the public page: their
figures equal those sync/scoring.py computes from the raw ratings for the same filter,
including a counter with few ratings, a rating made 00:30 local time on the first of a
month (the previous UTC day) and one made 23:30 on the last day of a month."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server import cli
from server.halls import service as halls
from server.models import SCORE_SCALE, AuditEntry, Rating
from server.settings import Settings
from sync.scoring import Aggregate, rank_counters, weighted_score
from tests.server.conftest import Hall, enroll_device
from tests.server.console_client import sign_in
from tests.server.kiosk_payloads import envelope, rating

EN = {"Accept-Language": "en"}
FIVES = dict.fromkeys(("attitude", "efficiency", "process", "environment", "overall"), 5)
FOURS = dict.fromkeys(FIVES, 4)
THREES = dict.fromkeys(FIVES, 3)
ONES = dict.fromkeys(FIVES, 1)
#: 0.2*2 + 0.3*3 + 0.25*3 + 0.15*3 + 0.1*3 = 2.8: a low score, level 2.
LOW_28 = {"attitude": 2, "efficiency": 3, "process": 3, "environment": 3, "overall": 3}

# (counter, staff, created_at, scores, comment): Asia/Shanghai is UTC+8.
DATA = [
    ("c1", "s1", "2026-10-31T23:30:00+08:00", FIVES, "服务态度很好，谢谢"),
    ("c1", "s1", "2026-10-31T16:30:00+00:00", ONES, "等了太久"),  # 11-01 00:30 local
    ("c1", "s1", "2026-10-15T10:00:00+08:00", FOURS, ""),
    ("c1", "s1", "2026-09-30T16:10:00+00:00", LOW_28, "态度差 <b>x</b>' OR 1=1 -- 电话13812345678"),
    ("c2", "s2", "2026-10-20T09:00:00+08:00", THREES, "=1+2 还可以"),
]


@pytest.fixture
def rated(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> Hall:
    now = datetime.now(UTC)
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "Zhang Wei", "c1", now)
        halls.add_staff(session, "h1", "s2", "Li Na", "c2", now)
    _device, token = enroll_device(factory, settings, "c2")
    seqs = {"c1": 0, "c2": 0}
    batches: dict[str, list[dict[str, object]]] = {"c1": [], "c2": []}
    for counter, staff, at, scores, comment in DATA:
        seqs[counter] += 1
        batches[counter].append(
            rating(
                counter,
                seqs[counter],
                scores=scores,
                created_at=at,
                staff_id=staff,
                comment=comment,
                reasons=["attitude_rude"] if scores is LOW_28 else [],
            )
        )
    for counter, auth in (("c1", hall.auth), ("c2", {"Authorization": f"Bearer {token}"})):
        answer = client.post("/api/v1/sync", json=envelope(batches[counter]), headers=auth)
        assert answer.status_code == 200, answer.text
        assert set(answer.json()["results"].values()) == {"accepted"}
    return hall


def _october(counter: str | None = None, staff: str | None = None) -> Aggregate:
    picked = [
        scores
        for c, s, at, scores, _ in DATA
        if (counter is None or c == counter)
        and (staff is None or s == staff)
        and datetime.fromisoformat(at).astimezone(UTC) >= datetime(2026, 9, 30, 16, tzinfo=UTC)
        and datetime.fromisoformat(at).astimezone(UTC) < datetime(2026, 10, 31, 16, tzinfo=UTC)
    ]
    return Aggregate.of(picked)


def _row(html: str, name: str) -> list[str]:
    found = re.search(rf"<th scope=\"row\"><a [^>]*>{re.escape(name)}</a>(.*?)</tr>", html, re.S)
    assert found is not None, name
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", found[1], re.S)
    ]


def test_rankings_equal_sync_scoring_for_a_month_with_its_edges(
    client: TestClient, rated: Hall
) -> None:
    c1, c2 = _october("c1"), _october("c2")
    # By hand: 5.0, 4.0 and 2.8 in October (the 00:30 rating of 1 November is not).
    assert c1.count == 3
    assert c1.mean == Decimal("11.8") / 3
    assert weighted_score(LOW_28) == Decimal("2.8")
    ranked = {r.counter_id: r for r in rank_counters({"c1": c1, "c2": c2})}
    sign_in(client, "super1")
    page = client.get("/rankings?period=month&at=2026-10-01", headers=EN).text
    bayes, mean, count, satisfaction, low, *dims = _row(page, "Counter 1")
    assert bayes == f"{ranked['c1'].shrunk_mean:.2f}" == "3.75"
    assert mean == "3.93"
    assert count == "3"
    assert satisfaction == "66.7%"
    assert low == "33.3%"
    assert dims[0] == f"{c1.dimension_means['attitude']:.2f}"
    few = _row(page, "Counter 2")
    assert few[:3] == [f"{ranked['c2'].shrunk_mean:.2f}", "3.00", "1"]
    assert "small sample" in page.split(">Counter 2</a>")[1].split("</tr>")[0]
    november = client.get("/rankings?period=month&at=2026-11-05", headers=EN).text
    assert _row(november, "Counter 1")[1:3] == ["1.00", "1"]
    # A custom period across the month boundary holds both edge ratings: (5.0 + 1.0) / 2.
    across = client.get("/rankings?period=custom&from=2026-10-31&to=2026-11-01", headers=EN)
    assert _row(across.text, "Counter 1")[1:3] == [
        f"{Aggregate.of([FIVES, ONES]).mean:.2f}",
        "2",
    ]


def test_staff_rankings_come_from_the_ratings_with_the_same_rules(
    client: TestClient, rated: Hall
) -> None:
    sign_in(client, "super1")
    page = client.get("/rankings?subject=staff&period=month&at=2026-10-09", headers=EN).text
    s1 = _october(staff="s1")
    assert _row(page, "Zhang Wei")[1:3] == [f"{s1.mean:.2f}", str(s1.count)]


def test_the_counter_page_shows_the_period_beside_the_previous_one(
    client: TestClient, rated: Hall
) -> None:
    sign_in(client, "super1")
    page = client.get("/scores/counter/c1?period=month&at=2026-11-01", headers=EN).text
    assert re.search(r'id="fig-count"><a [^>]*>1</a>', page)
    assert 'id="fig-mean">1.00<' in page
    # October is the previous period: three ratings, mean 3.93.
    assert "previous 3" in page
    assert "previous 3.93" in page
    october = client.get("/scores/counter/c1?period=month&at=2026-10-01", headers=EN).text
    assert "Rude attitude" in october or "attitude_rude" in october
    assert 'id="fig-low">33.3%<' in october
    # The 23:30 and 00:30 local ratings sit in the hour-of-day table at their local hours.
    assert re.search(r"<th scope=\"row\">23:00</th>", october)
    assert re.search(r"<th scope=\"row\">00:00</th>", october)


def test_indicators_show_with_their_formula(client: TestClient, rated: Hall) -> None:
    sign_in(client, "super1")
    page = client.get("/rankings?period=month&at=2026-10-01", headers=EN).text
    good = re.search(
        r'id="ind-active_good_rate" title="([^"]+)">'
        r'.*?class="value">([^<]+)<.*?class="sub">([^<]+)<',
        page,
        re.S,
    )
    assert good is not None
    # Good = level 3+: 5.0, 4.0 and 3.0 of the four October ratings.
    assert good[2] == "75.0%"
    assert good[3] == "3 / 4"
    assert "weighted score" in good[1]


def test_a_two_character_chinese_query_finds_the_comment_masked_and_escaped(
    client: TestClient, rated: Hall
) -> None:
    sign_in(client, "super1")
    page = client.get("/comments?q=态度&period=quarter&at=2026-10-01", headers=EN).text
    listed = page.split('id="comment-list"')[1].split("</ol>")[0]
    assert listed.count("<li") == 2
    assert "<mark>态度</mark>" in listed
    assert "138****5678" in listed
    assert "13812345678" not in listed
    assert "&lt;b&gt;x&lt;/b&gt;" in listed
    three = client.get("/comments?q=服务态度&period=quarter&at=2026-10-01", headers=EN).text
    assert three.split('id="comment-list"')[1].count("<mark>服务态度</mark>") == 1


@pytest.mark.parametrize("query", ["' OR 1=1 --", "<script>alert(1)</script>", "%", "_", '"', "\\"])
def test_sql_or_html_characters_in_a_query_are_harmless(
    client: TestClient, rated: Hall, query: str
) -> None:
    sign_in(client, "super1")
    response = client.get(
        "/comments", params={"q": query, "period": "quarter", "at": "2026-10-01"}, headers=EN
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    listed = response.text.split('id="comment-list"')[1].split("</ol>")[0]
    expected = 1 if query == "' OR 1=1 --" else 0
    assert listed.count("<mark>") == expected


def test_digits_of_a_phone_number_find_nothing(client: TestClient, rated: Hall) -> None:
    sign_in(client, "super1")
    page = client.get("/comments?q=1234&period=quarter&at=2026-10-01", headers=EN).text
    assert "Nothing found" in page


def _trimmed(row: tuple[object, ...]) -> list[object]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blank = rows.index([])
    return rows[blank + 1 :]


def test_exports_open_back_and_equal_the_database(
    client: TestClient, rated: Hall, factory: sessionmaker[Session]
) -> None:
    sign_in(client, "super1")
    body = client.get("/export/ratings?format=csv&period=month&at=2026-10-01").content
    header, *rows = _csv_rows(body)
    assert len(rows) == _october().count
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert sorted(Decimal(r["weighted_score"]) for r in by_id.values()) == [
        Decimal("2.8"),
        Decimal("3.0"),
        Decimal("4.0"),
        Decimal("5.0"),
    ]
    assert any("138****5678" in r["comment_masked"] for r in by_id.values())
    # A comment Excel would run as a formula stays text.
    assert any(r["comment_masked"].startswith("'=1+2") for r in by_id.values())
    xlsx = client.get("/export/rankings?format=xlsx&period=month&at=2026-10-01")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    values = [_trimmed(r) for r in book.active.iter_rows(values_only=True)]
    assert values[0] == ["hallrate export", "rankings"]
    assert ["from", "2026-10-01"] in values
    header = values.index([]) + 1
    assert values[header][:3] == ["rank", "id", "name"]
    first = dict(zip(values[header], values[header + 1], strict=False))
    assert (first["id"], first["count"]) == ("c1", 3)
    assert abs(first["mean"] - float(Decimal("11.8") / 3)) < 1e-4
    with factory() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("export.%"))
        ).all()
    assert sorted(actions) == ["export.rankings", "export.ratings"]


def test_the_public_page_needs_no_login_and_hides_small_samples(
    client: TestClient, rated: Hall
) -> None:
    page = client.get("/public/h1?period=month&at=2026-10-01", headers=EN)
    assert page.status_code == 200
    assert "Counter 1" not in page.text.split('id="public-ranking"')[1]
    assert "2 counters with fewer ratings are not shown" in page.text
    assert "138" not in page.text
    assert client.get("/public/nope", headers=EN).status_code == 404


def test_another_halls_counter_page_is_not_found(client: TestClient, rated: Hall) -> None:
    sign_in(client, "super1")
    assert client.get("/scores/counter/c9", headers=EN).status_code == 404
    assert client.get("/rankings?hall=h2", headers=EN).status_code == 404
    assert (
        client.get("/rankings?period=custom&from=2026-10-05&to=2026-10-01", headers=EN).status_code
        == 422
    )


def test_the_cli_exports_the_same_rows_as_the_database(
    rated: Hall,
    settings: Settings,
    factory: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "october.xlsx"
    code = cli.main([
        "--database-url", settings.database_url, "export", "ratings", "--format", "xlsx",
        "--hall", "h1", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(target),
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    book = openpyxl.load_workbook(target, read_only=True)
    values = [_trimmed(r) for r in book.active.iter_rows(values_only=True)]
    header = values.index([]) + 1
    rows = [dict(zip(values[header], r, strict=False)) for r in values[header + 1 :]]
    with factory() as session:
        stored = {r.id: r.weighted_score / SCORE_SCALE for r in session.scalars(select(Rating))}
    assert {r["rating_id"]: r["weighted_score"] for r in rows} == {
        rid: score for rid, score in stored.items() if rid in {r["rating_id"] for r in rows}
    }
    assert sorted(r["weighted_score"] for r in rows) == [2.8, 3.0, 4.0, 5.0]
    with factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export.ratings")
        ).one()
    assert entry.username == "cli"
    assert entry.after is not None
    assert entry.after["from"] == "2026-10-01"
    csv_target = tmp_path / "alerts.csv"
    assert cli.main([
        "--database-url", settings.database_url, "export", "alerts", "--out", str(csv_target),
        "--from", "2026-10-01", "--to", "2026-12-31",
    ]) == 0  # fmt: skip
    header_row, *alert_rows = _csv_rows(csv_target.read_bytes())
    assert header_row[0] == "alert_id"
    assert len(alert_rows) >= 2  # the two low scores (and the month's low-rate alert)
    assert cli.main([
        "--database-url", settings.database_url, "export", "alerts", "--out", str(csv_target),
        "--from", "2026-10-05",
    ]) == 2  # fmt: skip
    assert "give both --from and --to" in capsys.readouterr().err


def test_the_filter_form_as_a_browser_sends_it_with_empty_fields(
    client: TestClient, rated: Hall
) -> None:
    sign_in(client, "super1")
    page = client.get(
        "/comments?q=&counter=&level=&reason=&channel=&period=month&at=2026-10-03&from=&to=",
        headers=EN,
    )
    assert page.status_code == 200
    assert page.text.split('id="comment-list"')[1].count("<li") == 3
    assert client.get("/comments?level=9", headers=EN).status_code == 422


def test_today_shows_the_months_indicators_with_their_formula(
    client: TestClient, hall: Hall
) -> None:
    answer = client.post(
        "/api/v1/sync",
        json=envelope([rating("c1", 1, scores=FIVES), rating("c1", 2, scores=LOW_28)]),
        headers=hall.auth,
    )
    assert answer.status_code == 200
    sign_in(client, "super1")
    page = client.get("/", headers=EN).text
    good = re.search(
        r'id="ind-active_good_rate" title="([^"]+)">.*?class="sub">([^<]+)<', page, re.S
    )
    assert good is not None
    assert good[2] == "1 / 2"
    assert "good ratings ÷ ratings" in good[1]


NEW_TEMPLATES = (
    "rankings.html", "subject.html", "compare.html", "comments.html", "public.html",
    "partials/period_form.html", "partials/indicators.html",
)  # fmt: skip


def test_every_string_of_the_new_pages_has_a_chinese_translation() -> None:
    from babel.messages.extract import extract_from_file

    from server.console import i18n
    from server.console.web import TEMPLATES

    chinese = i18n.translations("zh_CN")
    missing = []
    checked = 0
    for name in NEW_TEMPLATES:
        for _line, message, _comments, _context in extract_from_file(
            "jinja2", str(TEMPLATES / name), options={"extensions": "jinja2.ext.i18n"}
        ):
            text = message if isinstance(message, str) else message[0]
            checked += 1
            if chinese.gettext(text) == text:
                missing.append((name, text))
    assert checked > 100
    assert missing == []


def test_a_comment_deleted_or_changed_is_no_longer_found(
    client: TestClient, rated: Hall, factory: sessionmaker[Session]
) -> None:
    sign_in(client, "super1")
    search = "/comments?period=quarter&at=2026-10-01&q="

    def found(query: str) -> int:
        page = client.get(search + query, headers=EN).text
        return page.split('id="comment-list"')[1].split("</ol>")[0].count("<mark>")

    assert found("服务态度") == 1
    with factory.begin() as session:
        session.execute(
            update(Rating).where(Rating.comment.like("服务态度%")).values(comment="流程太慢了")
        )
    assert found("服务态度") == 0
    assert found("流程太慢") == 1
    with factory.begin() as session:
        session.execute(update(Rating).where(Rating.comment == "流程太慢了").values(comment=""))
    assert found("流程太慢") == 0
    assert found("还可以") == 1


def test_compare_puts_two_counters_side_by_side(client: TestClient, rated: Hall) -> None:
    sign_in(client, "super1")
    page = client.get("/compare?id=c1&id=c2&period=month&at=2026-10-01", headers=EN)
    assert page.status_code == 200
    mean = re.search(r"<th scope=\"row\">Weighted mean</th>(.*?)</tr>", page.text, re.S)
    assert mean is not None
    assert re.findall(r">([^<]+)</td>", mean[1]) == ["3.93", "3.00"]
    assert client.get("/compare?id=c1&period=month", headers=EN).status_code == 422
    assert client.get("/compare?id=c1&id=c9", headers=EN).status_code == 404


@pytest.mark.parametrize("rare_below", [1000, 1])
def test_a_common_phrase_is_found_as_a_rare_one_is(
    client: TestClient, rated: Hall, rare_below: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1: the index holds "too many" matches, so the filter's own ratings are searched.
    monkeypatch.setattr("server.scores.comments.RARE_BELOW", rare_below)
    sign_in(client, "super1")
    page = client.get("/comments?q=服务态度&period=quarter&at=2026-10-01", headers=EN).text
    assert page.split('id="comment-list"')[1].count("<mark>服务态度</mark>") == 1
