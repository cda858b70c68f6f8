"""Rate on your phone (`/m/<token>`) and follow your rating (`/r/<code>`), on SQLite and
PostgreSQL: tokens from the sync answer, one rating per token, bad and cross-site input."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.grants import tokens
from server.models import Alert, CounterDayRollup, Rating
from server.settings import Settings
from sync.protocol import SyncResponse
from sync.receipt import receipt_code
from tests.server.conftest import SECRET, Hall, login
from tests.server.kiosk_payloads import envelope, rating

LOW = {"attitude": "1", "efficiency": "2", "process": "1", "environment": "3", "overall": "1"}


def sync(client: TestClient, hall: Hall, **kwargs: Any) -> SyncResponse:
    ratings = kwargs.pop("ratings", [])
    response = client.post("/api/v1/sync", json=envelope(ratings, **kwargs), headers=hall.auth)
    assert response.status_code == 200, response.text
    return SyncResponse.model_validate_json(response.text)


def phone_token(client: TestClient, hall: Hall, **kwargs: Any) -> str:
    token = sync(client, hall, **kwargs).config["mobile"]["token"]
    assert isinstance(token, str)
    return token


def check_value(page: str) -> str:
    found = re.search(r'name="check" value="([^"]+)"', page)
    assert found is not None, page
    return unescape(found.group(1))


def rate(
    client: TestClient,
    token: str,
    scores: dict[str, str] | None = None,
    *,
    reasons: tuple[str, ...] = (),
    comment: str = "",
    headers: dict[str, str] | None = None,
    check: str | None = None,
) -> Any:
    if check is None:
        form_page = client.get(f"/m/{token}")
        check = check_value(form_page.text) if form_page.status_code == 200 else "none"
    fields: dict[str, str | list[str]] = {"check": check, "lang": "zh_CN", **(scores or LOW)}
    fields["reason"] = list(reasons)
    fields["comment"] = comment
    return client.post(
        f"/m/{token}", data=fields, headers={"Origin": "http://testserver", **(headers or {})}
    )


def ratings(factory: sessionmaker[Session]) -> list[Rating]:
    with factory() as session:
        return list(session.scalars(select(Rating).order_by(Rating.received_at)))


def test_every_sync_answer_hands_the_device_a_fresh_phone_token(
    client: TestClient, hall: Hall
) -> None:
    first = sync(client, hall)
    second = sync(client, hall)
    assert first.config["public_url"] == "http://testserver"
    mobile = first.config["mobile"]
    assert mobile["valid_s"] == 15 * 60
    expires = datetime.fromisoformat(mobile["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    assert mobile["token"] != second.config["mobile"]["token"]
    token = tokens.verify(SECRET, mobile["token"], datetime.now(UTC))
    assert token.counter_id == hall.counter_id
    assert token.session_id is None


def test_a_phone_rating_is_stored_as_mobile_and_scored_like_any_other(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = phone_token(client, hall)
    form = client.get(f"/m/{token}")
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    assert "<script" not in form.text  # works without JavaScript
    assert form.text.count('type="radio"') == 25

    done = rate(client, token, reasons=("attitude.harsh", "environment.broken"), comment="窗口没人")
    assert done.status_code == 200, done.text
    assert "感谢您的评价" in done.text

    [stored] = ratings(factory)
    assert stored.channel == "mobile"
    assert stored.counter_id == hall.counter_id
    assert stored.device_id == hall.device_id
    assert (stored.attitude, stored.efficiency, stored.overall) == (1, 2, 1)
    # A reason counts only for a dimension rated 1 or 2 stars, as on the kiosk.
    assert stored.reasons == ["attitude.harsh"]
    assert stored.comment == "窗口没人"
    assert stored.is_low
    assert stored.receipt_code is not None
    assert f"/r/{stored.receipt_code}" in done.text
    with factory() as session:
        alert = session.scalars(select(Alert).where(Alert.rating_id == stored.id)).one()
        rollup = session.scalars(select(CounterDayRollup)).one()
    assert alert.state == "open"
    assert rollup.count == 1
    # The counter's scores the kiosk gets back count the phone rating.
    assert sync(client, hall).counter_scores.today.count == 1  # type: ignore[union-attr]


def test_a_token_gives_one_rating_and_a_second_use_gets_a_clear_page(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = phone_token(client, hall)
    form = client.get(f"/m/{token}")
    check = check_value(form.text)
    assert rate(client, token, check=check).status_code == 200
    again = rate(client, token, check=check)
    assert again.status_code == 409
    assert "此二维码已使用" in again.text
    reopened = client.get(f"/m/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert reopened.status_code == 409
    assert "This QR code was already used" in reopened.text
    assert len(ratings(factory)) == 1


def test_a_fresh_token_after_a_used_one_rates_again(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    assert rate(client, phone_token(client, hall)).status_code == 200
    assert rate(client, phone_token(client, hall)).status_code == 200
    assert len(ratings(factory)) == 2


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


@pytest.mark.parametrize(
    ("make_token", "status", "title"),
    [
        (lambda good: _tampered(good), 404, "二维码无效"),
        (lambda good: good[:-3], 404, "二维码无效"),
        (
            lambda good: tokens.issue(
                "another-secret-0123456789", "c1", None, datetime.now(UTC) + timedelta(minutes=5)
            ),
            404,
            "二维码无效",
        ),
        (
            lambda good: tokens.issue(SECRET, "c1", None, datetime.now(UTC) - timedelta(seconds=1)),
            410,
            "此二维码已过期",
        ),
        (
            lambda good: tokens.issue(
                SECRET, "no-such-counter", None, datetime.now(UTC) + timedelta(minutes=5)
            ),
            409,
            "暂时无法评价",
        ),
        (lambda good: "A" * 150, 404, "二维码无效"),
        (lambda good: "<script>", 404, "二维码无效"),
    ],
    ids=["tampered", "truncated", "other-server", "expired", "unknown-counter", "junk", "markup"],
)
def test_bad_tokens_get_a_clear_page_and_store_nothing(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    make_token: Any,
    status: int,
    title: str,
) -> None:
    token = make_token(phone_token(client, hall))
    page = client.get(f"/m/{token}")
    assert page.status_code == status
    assert title in page.text
    assert "<script>" not in page.text
    posted = client.post(
        f"/m/{token}",
        data={"check": tokens.form_check(SECRET, token), **LOW},
        headers={"Origin": "http://testserver"},
    )
    assert posted.status_code == status
    assert ratings(factory) == []


def test_a_token_bound_to_a_session_rates_that_service_once(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    session_id = str(uuid.uuid4())
    served = {
        "id": session_id,
        "counter_id": "c1",
        "staff_id": "s-042",
        "ticket": "A017",
        "started_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    token = phone_token(client, hall, sessions=[served])
    assert tokens.verify(SECRET, token, datetime.now(UTC)).session_id == session_id
    assert rate(client, token, dict.fromkeys(LOW, "5")).status_code == 200
    [stored] = ratings(factory)
    assert (stored.session_id, stored.staff_id) == (session_id, "s-042")

    # Rated at the kiosk already: the phone's token for the same service is spent (一次一评).
    other = str(uuid.uuid4())
    served2 = {**served, "id": other, "started_at": datetime.now(UTC).isoformat()}
    token2 = phone_token(client, hall, sessions=[served2])
    kiosk_rating = rating(seq=1, session_id=other)
    sync(client, hall, ratings=[kiosk_rating])
    page = client.get(f"/m/{token2}")
    assert page.status_code == 409
    assert "此二维码已使用" in page.text


def test_script_in_a_comment_is_stored_as_typed_and_shown_escaped(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    comment = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    done = rate(client, phone_token(client, hall), comment=comment)
    assert done.status_code == 200
    assert "<script>" not in done.text
    assert "<img" not in done.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in done.text
    assert "script-src" not in done.headers["content-security-policy"]  # no script at all
    assert "default-src 'none'" in done.headers["content-security-policy"]
    [stored] = ratings(factory)
    assert stored.comment == comment


@pytest.mark.parametrize(
    ("comment", "problem"),
    [("意" * 501, "意见最多 500 个字"), ("x" * 40_000, "意见最多 500 个字")],
    ids=["501-characters", "40-kB-body"],
)
def test_an_oversized_comment_is_refused_with_the_form_kept(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], comment: str, problem: str
) -> None:
    token = phone_token(client, hall)
    answer = rate(client, token, comment=comment)
    assert answer.status_code in (400, 413)
    assert problem in answer.text
    assert ratings(factory) == []
    # The token is not spent by a refused form.
    assert rate(client, token).status_code == 200


def test_a_form_without_all_five_scores_comes_back_with_what_was_chosen(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = phone_token(client, hall)
    partial = {"attitude": "4", "efficiency": "2"}
    answer = rate(client, token, partial, comment="还行")
    assert answer.status_code == 400
    assert "请为全部五项打分后再提交" in answer.text
    assert 'name="attitude" value="4" checked' in answer.text
    assert ">还行</textarea>" in answer.text
    assert ratings(factory) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "", "Referer": "http://evil.example/page"},
    ],
    ids=["other-origin", "opaque-origin", "look-alike-host", "other-referer"],
)
def test_a_cross_site_form_post_is_refused_and_spends_nothing(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], headers: dict[str, str]
) -> None:
    token = phone_token(client, hall)
    check = check_value(client.get(f"/m/{token}").text)
    sent = {k: v for k, v in headers.items() if v}
    response = client.post(f"/m/{token}", data={"check": check, **LOW}, headers=sent)
    assert response.status_code == 403
    assert "请求被拒绝" in response.text
    assert ratings(factory) == []
    assert rate(client, token, check=check).status_code == 200


def test_a_post_without_our_form_check_is_refused_even_from_our_origin(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = phone_token(client, hall)
    assert rate(client, token, check="forged").status_code == 403
    missing = client.post(f"/m/{token}", data=LOW, headers={"Origin": "http://testserver"})
    assert missing.status_code == 403
    as_json = client.post(f"/m/{token}", json={"check": tokens.form_check(SECRET, token), **LOW})
    assert as_json.status_code == 403
    assert ratings(factory) == []


def test_an_old_browser_sending_neither_origin_nor_referer_can_rate(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = phone_token(client, hall)
    check = check_value(client.get(f"/m/{token}").text)
    response = client.post(f"/m/{token}", data={"check": check, **LOW})
    assert response.status_code == 200
    assert len(ratings(factory)) == 1


def test_the_phone_page_speaks_english_when_asked(client: TestClient, hall: Hall) -> None:
    token = phone_token(client, hall)
    page = client.get(f"/m/{token}?lang=en")
    assert "Rate our service" in page.text
    assert "Attitude" in page.text
    assert 'lang="en"' in page.text
    chinese = client.get(f"/m/{token}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "服务态度" in chinese.text


# -- the receipt page ------------------------------------------------------------------------


def test_the_receipt_page_follows_a_kiosk_rating_from_not_received_to_received(
    client: TestClient, hall: Hall
) -> None:
    key = b"k" * 32
    kiosk_rating = rating(seq=1)
    code = receipt_code(key, kiosk_rating["id"])
    before = client.get(f"/r/{code}")
    assert before.status_code == 200
    assert "尚未收到此评价" in before.text
    answer = sync(client, hall, ratings=[{**kiosk_rating, "receipt": code}])
    assert answer.results[kiosk_rating["id"]] == "accepted"
    after = client.get(f"/r/{code.lower()[:4]}-{code[4:8]}-{code[8:]}")
    assert after.status_code == 200
    assert "已收到您的评价" in after.text
    assert "First hall · Counter 1" in after.text
    assert "非常满意" in after.text
    assert "处理进度" not in after.text  # not a low score: no alert to follow


def test_the_receipt_page_shows_a_low_scores_progress_and_the_published_reply(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    assert rate(client, phone_token(client, hall)).status_code == 200
    [stored] = ratings(factory)
    page = client.get(f"/r/{stored.receipt_code}?lang=en")
    assert "Progress" in page.text
    assert '<li class="done" data-step="open">' in page.text
    assert '<li class="todo" data-step="acknowledged">' in page.text
    assert "No reply has been published yet." in page.text

    with factory() as session:
        alert_id = session.scalars(select(Alert.id).where(Alert.rating_id == stored.id)).one()
    auth = login(client, "super1")
    assert (
        client.post(
            f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "taking it on"}, headers=auth
        ).status_code
        == 200
    )
    reply = "已约谈窗口人员，<b>整改</b>完成。"
    published = client.post(f"/api/v1/alerts/{alert_id}/reply", json={"reply": reply}, headers=auth)
    assert published.status_code == 200, published.text
    assert published.json()["public_reply"] == reply

    page = client.get(f"/r/{stored.receipt_code}")
    assert '<li class="done" data-step="acknowledged">' in page.text
    assert "已约谈窗口人员，&lt;b&gt;整改&lt;/b&gt;完成。" in page.text
    assert "<b>整改</b>" not in page.text
    # Another hall's supervisor cannot publish on it.
    other = login(client, "super2")
    assert (
        client.post(
            f"/api/v1/alerts/{alert_id}/reply", json={"reply": "x"}, headers=other
        ).status_code
        == 404
    )


@pytest.mark.parametrize("code", ["short", "ILOU" * 3 + "X", "A" * 64, "%3Cscript%3E"])
def test_a_malformed_receipt_code_gets_a_clear_page(client: TestClient, code: str) -> None:
    page = client.get(f"/r/{code}")
    assert page.status_code == 404
    assert "这不是有效的回执码" in page.text
    assert "<script>" not in page.text


def test_guessing_receipt_codes_from_one_address_is_slowed_down(
    client: TestClient, hall: Hall
) -> None:
    statuses = [client.get(f"/r/{receipt_code(bytes([i]), 'x')}").status_code for i in range(40)]
    assert statuses[:30] == [200] * 30
    assert set(statuses[30:]) == {429}
    slowed = client.get(f"/r/{receipt_code(b'z', 'x')}")
    assert "查询过于频繁" in slowed.text


def test_a_rating_without_a_receipt_resent_is_still_a_duplicate(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    plain = rating(seq=1)
    assert sync(client, hall, ratings=[plain]).results[plain["id"]] == "accepted"
    assert sync(client, hall, ratings=[plain]).results[plain["id"]] == "duplicate"
    bad = rating(seq=2, receipt="not-a-code")
    answer = sync(client, hall, ratings=[bad])
    assert answer.results[bad["id"]] == "rejected"
    assert "receipt" in answer.errors[bad["id"]]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 1


def test_settings_public_url_is_what_the_devices_are_told(
    settings: Settings, hall: Hall, engine: Any
) -> None:
    from server.app import create_app

    public = settings.model_copy(update={"public_url": "https://pingjia.example.gov.cn/"})
    with TestClient(create_app(public, engine, run_escalation=False)) as other:
        answer = sync(other, hall)
    assert answer.config["public_url"] == "https://pingjia.example.gov.cn"


def test_a_token_has_one_spelling(client: TestClient, hall: Hall) -> None:
    token = phone_token(client, hall)
    assert client.get(f"/m/{token}").status_code == 200
    for variant in (token[:5] + "!" + token[5:], token + "=", " " + token):
        assert client.get(f"/m/{variant}").status_code == 404
