"""Citizens' data as the law asks: an optional, consented call-back number kept encrypted
(the database file holds no number in clear), shown masked and revealed only by the hall's
supervisor through a logged action; numbers in comments masked; the citizen's once-only
word on the handling; retention; export and deletion by receipt code."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.cli import main as server_cli
from server.models import Alert, AlertEvent, Rating, RatingContact
from server.privacy.crypto import new_key
from server.privacy.masking import id_check_digit, is_id_number, mask_personal_numbers
from server.privacy.retention import purge_once
from server.settings import Settings, SettingsError
from tests.server.conftest import SECRET, Hall, login
from tests.server.console_client import sign_in
from tests.server.test_phone_rating import check_value, phone_token, rate

#: What every step needs: a note, whether the citizen was reached, the cause.
STEP = {"note": "已处理", "reached": True, "cause": "staff"}
KEY = new_key()
PHONE = "13812345678"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        environment="test",
        secret_key=SECRET,
        database_url=db_url,
        password_time_cost=1,
        password_memory_kib=64,
        collect_contact=True,
        contact_key=KEY,
    )


def _low_phone_rating(client: TestClient, hall: Hall, comment: str = "") -> tuple[str, str]:
    """A low score from the phone page: (thanks page, receipt code)."""
    done = rate(client, phone_token(client, hall), comment=comment)
    assert done.status_code == 200, done.text
    code = re.search(r"/r/([A-Z0-9]+)", done.text)
    assert code is not None
    return done.text, code.group(1)


def _leave(client: TestClient, page: str, code: str, phone: str, consent: bool = True) -> str:
    fields = {"check": check_value(page.split('id="callback"')[1]), "lang": "zh_CN"}
    fields["phone"] = phone
    if consent:
        fields["consent"] = "yes"
    answer = client.post(f"/r/{code}/contact", data=fields, headers={"Origin": "http://testserver"})
    return f"{answer.status_code} {answer.text}"


def _alert_id(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalars(select(Alert.id).where(Alert.kind == "low_score")).one()


def test_a_call_back_number_is_asked_only_after_a_low_score_with_consent(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    good = rate(
        client,
        phone_token(client, hall),
        {"attitude": "5", "efficiency": "5", "process": "5", "environment": "5", "overall": "5"},
    )
    assert 'id="callback"' not in good.text
    page, code = _low_phone_rating(client, hall)
    assert 'id="callback"' in page
    assert "我同意大厅为回访本次评价使用上述手机号码" in page
    assert _leave(client, page, code, PHONE, consent=False).startswith("400")
    assert _leave(client, page, code, "12345").startswith("400")
    answer = _leave(client, page, code, "138 1234 5678")
    assert answer.startswith("200")
    assert "138****5678" in answer
    # Once only.
    assert _leave(client, page, code, PHONE).startswith("409")


# The bytes of a database file: SQLite's.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_database_file_holds_no_phone_number_in_clear(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    page, code = _low_phone_rating(client, hall)
    assert _leave(client, page, code, PHONE).startswith("200")
    with factory() as session:
        [contact] = session.scalars(select(RatingContact)).all()
    assert contact.phone_masked == "138****5678"
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert PHONE.encode() not in blob
    assert PHONE.encode("utf-16-le") not in blob


def test_only_the_halls_supervisor_reveals_the_number_and_it_is_logged(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    page, code = _low_phone_rating(client, hall)
    _leave(client, page, code, PHONE)
    alert_id = _alert_id(factory)
    detail = client.get(f"/api/v1/alerts/{alert_id}", headers=login(client, "admin")).json()
    assert detail["contact"]["phone_masked"] == "138****5678"
    assert PHONE not in json.dumps(detail)
    url = f"/api/v1/alerts/{alert_id}/contact/reveal"
    assert client.post(url, headers=login(client, "admin")).status_code == 403
    assert client.post(url, headers=login(client, "auditor")).status_code == 403
    assert client.post(url, headers=login(client, "super2")).status_code == 404
    revealed = client.post(url, headers=login(client, "super1"))
    assert revealed.status_code == 200
    assert revealed.json() == {"phone": PHONE, "phone_masked": "138****5678"}
    with factory() as session:
        events = session.scalars(
            select(AlertEvent.action).where(AlertEvent.alert_id == alert_id)
        ).all()
    assert events.count("reveal_contact") == 1


# 11010519491231002X is the standard's own example; ...1231002 with check 1 is wrong.
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("请回电13812345678", "请回电138****5678"),
        ("电话 138-1234-5678 谢谢", "电话 138****5678 谢谢"),
        ("+86 139 0000 1111", "139****1111"),
        ("身份证11010519491231002X", "身份证110***********002X"),
        ("身份证11010519491231002x。", "身份证110***********002x。"),
        ("订单号110105194912310021", "订单号110105194912310021"),
        ("座机 010-12345678", "座机 010-12345678"),
        ("排了120分钟", "排了120分钟"),
    ],
    ids=["mobile", "dashes", "country-code", "id", "id-lower-x", "bad-check", "landline", "short"],
)
def test_phone_and_id_numbers_in_comments_are_masked(typed: str, shown: str) -> None:
    assert mask_personal_numbers(typed) == shown


def test_the_id_check_digit_follows_gb_11643() -> None:
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"
    assert is_id_number("440524188001010014")
    assert not is_id_number("440524188001010015")


def test_numbers_in_a_comment_are_masked_wherever_it_is_shown(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    comment = "请打13812345678，身份证11010519491231002X"
    page, _code = _low_phone_rating(client, hall, comment)
    assert "138****5678" in page
    assert PHONE not in page
    assert "11010519491231002X" not in page
    detail = client.get(
        f"/api/v1/alerts/{_alert_id(factory)}", headers=login(client, "super1")
    ).json()
    assert detail["rating"]["comment"] == "请打138****5678，身份证110***********002X"


def test_the_citizen_says_once_whether_the_handling_satisfied_them(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    _page, code = _low_phone_rating(client, hall)
    before = client.get(f"/r/{code}")
    assert 'id="feedback"' not in before.text  # nothing handled yet to judge
    alert_id = _alert_id(factory)
    auth = login(client, "super1")
    client.post(f"/api/v1/alerts/{alert_id}/reply", json={"reply": "已整改"}, headers=auth)
    receipt = client.get(f"/r/{code}")
    assert 'id="feedback"' in receipt.text
    fields = {"check": check_value(receipt.text.split('id="feedback"')[1]), "lang": "zh_CN"}
    origin = {"Origin": "http://testserver"}
    answer = client.post(f"/r/{code}/feedback", data={**fields, "satisfied": "no"}, headers=origin)
    assert answer.status_code == 200
    assert "您已评价：不满意。" in answer.text
    again = client.post(f"/r/{code}/feedback", data={**fields, "satisfied": "yes"}, headers=origin)
    assert again.status_code == 409
    cross = client.post(
        f"/r/{code}/feedback",
        data={**fields, "satisfied": "yes"},
        headers={"Origin": "http://evil.example"},
    )
    assert cross.status_code == 403
    detail = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    assert detail["citizen_satisfied"] is False


def _close(client: TestClient, alert_id: int) -> None:
    auth = login(client, "super1")
    for step in ("acknowledge", "call-back", "rectify", "close"):
        answer = client.post(f"/api/v1/alerts/{alert_id}/{step}", json=STEP, headers=auth)
        assert answer.status_code == 200, answer.text


def test_contacts_are_deleted_a_set_time_after_the_alert_closes(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    page, code = _low_phone_rating(client, hall)
    _leave(client, page, code, PHONE)
    alert_id = _alert_id(factory)
    now = datetime.now(UTC)
    assert purge_once(factory, settings, now + timedelta(days=365)) == 0  # still open
    _close(client, alert_id)
    days = settings.contact_retention_days
    assert purge_once(factory, settings, now + timedelta(days=days - 1)) == 0
    assert purge_once(factory, settings, now + timedelta(days=days, hours=1)) == 1
    with factory() as session:
        assert session.scalars(select(RatingContact)).all() == []
        actions = session.scalars(
            select(AlertEvent.action).where(AlertEvent.alert_id == alert_id)
        ).all()
    assert "contact_purged" in actions


def test_a_persons_data_is_exported_and_deleted_by_receipt_code(
    client: TestClient,
    hall: Hall,
    factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page, code = _low_phone_rating(client, hall, "态度差 13812345678")
    _leave(client, page, code, PHONE)
    monkeypatch.setenv("HALLRATE_CONTACT_KEY", KEY)
    db = ["--database-url", settings.database_url]
    out = tmp_path / "export.json"
    assert server_cli([*db, "privacy", "export", code, "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["contact"]["phone"] == PHONE
    assert data["rating"]["comment"] == "态度差 13812345678"
    assert data["handling"]["state"] == "open"

    assert server_cli([*db, "privacy", "delete", code]) == 0
    with factory() as session:
        [rating] = session.scalars(select(Rating)).all()
        assert (rating.comment, rating.receipt_code) == ("", None)
        assert session.scalars(select(RatingContact)).all() == []
        actions = session.scalars(select(AlertEvent.action)).all()
    assert {"privacy_export", "privacy_delete"} <= set(actions)
    assert rating.is_low  # the scores stay, anonymous, in the counter's figures
    capsys.readouterr()
    assert server_cli([*db, "privacy", "export", code]) != 0
    assert "no rating with receipt code" in capsys.readouterr().err


def test_collecting_contacts_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises((SettingsError, ValueError), match="contact key"):
        Settings(collect_contact=True)
    with pytest.raises((SettingsError, ValueError), match="not a Fernet key"):
        Settings(collect_contact=True, contact_key="too-short")
    key_file = tmp_path / "contact.key"
    key_file.write_text(new_key())
    assert Settings(collect_contact=True, contact_key_file=key_file).contact_key_bytes()


def test_the_console_alert_page_shows_the_comment_masked(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    _low_phone_rating(client, hall, "请打13812345678")
    sign_in(client, "super1")
    page = client.get(f"/alerts/{_alert_id(factory)}").text
    assert "请打138****5678" in page
    assert PHONE not in page
