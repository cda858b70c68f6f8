"""The Month and Points pages: what each role sees and may do, another hall's month as
404, CSRF, closing and verifying, recording a rectification, the points breakdown, and
report downloads (audited). Through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.models import AuditEntry, MonthClose, Rectification, Role
from server.settings import Settings
from server.users import service as users
from tests.server.conftest import PASSWORD, SECRET, Hall
from tests.server.console_client import post_form, sign_in
from tests.server.month_data import build_month

MAY = "hall=h1&month=2026-05"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        secret_key=SECRET,
        database_url=db_url,
        password_time_cost=1,
        password_memory_kib=64,
        report_dir=tmp_path / "reports",
    )


@pytest.fixture
def month(hall: Hall, factory: sessionmaker[Session], settings: Settings) -> Hall:
    with factory.begin() as session:
        build_month(session, hall.device_id)
        hasher = users.hasher_for(settings)
        users.create_user(
            session, "inspector", PASSWORD, Role.INSPECTOR, None, datetime.now(UTC), hasher
        )
    return hall


def audit_actions(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_it_shows_the_month_and_the_twenty_percent_rule(client: TestClient, month: Hall) -> None:
    sign_in(client, "super1")
    page = client.get(f"/month?{MAY}")
    assert page.status_code == 200
    assert 'id="month-ratings">63<' in page.text
    assert "超限，须整改" in page.text
    assert "评价数不足，不作判定" in page.text
    assert 'href="/month"' in page.text
    assert 'href="/points"' in page.text
    assert "Counter 3" in page.text.split('id="formal-talks"')[1].split("</ul>")[0]
    assert 'id="close-month"' not in page.text  # only an administrator closes


def test_it_shows_english_when_asked(client: TestClient, month: Hall) -> None:
    sign_in(client, "super1")
    client.cookies.set("hallrate_lang", "en", domain="testserver.local")
    page = client.get(f"/month?{MAY}")
    assert "over the limit: must rectify" in page.text
    assert "too few ratings to judge" in page.text


def test_it_requires_sign_in(client: TestClient, month: Hall) -> None:
    for path in (f"/month?{MAY}", f"/points?{MAY}", "/month/report.pdf?hall=h1&period=2026-05"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/?next=")


def test_another_halls_month_is_404(client: TestClient, month: Hall) -> None:
    sign_in(client, "super2")
    for path in (
        f"/month?{MAY}",
        f"/points?{MAY}",
        "/month/report.xlsx?hall=h1&period=2026-05",
        "/month/kept/h1_2026-05.pdf",
    ):
        assert client.get(path).status_code == 404, path


def test_an_admin_closes_the_month_and_verify_says_it_matches(
    client: TestClient, month: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "admin")
    assert 'id="close-month"' in client.get(f"/month?{MAY}").text
    status, _, location = post_form(client, "/month/close", csrf, hall="h1", month="2026-05")
    assert status == 303
    assert location == f"/month?{MAY}"
    page = client.get(location)
    status_line = page.text.split('id="month-status"')[1].split("</p>")[0]
    assert "已关闭" in status_line
    assert "admin" in status_line
    assert 'id="close-month"' not in page.text
    verified = client.get(f"/month?{MAY}&verify=1")
    assert "核对无误" in verified.text
    assert "month.close" in audit_actions(factory)
    # Closing twice: the state refuses it.
    assert post_form(client, "/month/close", csrf, hall="h1", month="2026-05")[0] == 409
    with factory() as session:
        assert session.scalars(select(Rectification.counter_id)).all() == ["c1"]


def test_close_is_for_administrators_and_needs_the_csrf_token(
    client: TestClient, month: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "super1")
    assert post_form(client, "/month/close", csrf, hall="h1", month="2026-05")[0] == 403
    client.cookies.clear()
    sign_in(client, "admin")
    assert post_form(client, "/month/close", "forged", hall="h1", month="2026-05")[0] == 403
    assert post_form(client, "/month/close", None, hall="h1", month="2026-05")[0] == 403
    with factory() as session:
        assert session.scalars(select(MonthClose)).all() == []


def test_a_supervisor_records_a_rectification_and_an_auditor_may_not(
    client: TestClient, month: Hall, factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "admin")
    post_form(client, "/month/close", csrf, hall="h1", month="2026-05")
    with factory() as session:
        order_id = session.scalars(select(Rectification.id)).one()
    client.cookies.clear()
    csrf = sign_in(client, "auditor")
    fields = {"owner": "王科长", "actions": "服务礼仪培训", "outcome": "已完成培训"}
    assert post_form(client, f"/month/rectifications/{order_id}", csrf, **fields)[0] == 403
    client.cookies.clear()
    csrf = sign_in(client, "super2")
    assert post_form(client, f"/month/rectifications/{order_id}", csrf, **fields)[0] == 404
    client.cookies.clear()
    csrf = sign_in(client, "super1")
    empty = post_form(client, f"/month/rectifications/{order_id}", csrf, owner="x")
    assert empty[0] == 422
    status, _, location = post_form(client, f"/month/rectifications/{order_id}", csrf, **fields)
    assert status == 303
    page = client.get(location or "")
    assert "服务礼仪培训" in page.text
    assert "复测中" in page.text
    assert "rectification.rectified" in audit_actions(factory)


def test_the_points_page_shows_each_points_rule_for_a_staff_member(
    client: TestClient, month: Hall
) -> None:
    sign_in(client, "inspector")
    page = client.get(f"/points?{MAY}&staff=s2")
    assert page.status_code == 200
    breakdown = page.text.split('id="breakdown"')[1].split("</section>")[0]
    assert "Staff s2: 78.20" in breakdown
    assert "一次性办结率" in breakdown
    assert "-30.00" in breakdown
    assert "平均办理时长" in breakdown
    assert "-2.00" in breakdown
    assert breakdown.count("<code>") == 2  # the two facilities low scores, not counted
    assert client.get(f"/points?{MAY}&staff=nobody").status_code == 404
    counter = client.get(f"/points?{MAY}&counter=c1")
    assert "Counter 1: 91.00" in counter.text


def test_reports_download_as_pdf_and_xlsx_and_are_audited(
    client: TestClient, month: Hall, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    sign_in(client, "auditor")
    pdf = client.get("/month/report.pdf?hall=h1&period=2026-05")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/month/report.xlsx?hall=h1&period=2026-W20")
    assert xlsx.status_code == 200
    (tmp_path / "w.xlsx").write_bytes(xlsx.content)
    assert load_workbook(tmp_path / "w.xlsx")["概要"]["B3"].value == "2026-W20"
    staff = client.get("/month/report.pdf?hall=h1&period=2026-05&staff=s1")
    assert staff.status_code == 200
    assert client.get("/month/report.xlsx?hall=h1&period=2026-05&staff=s1").status_code == 404
    assert client.get("/month/report.pdf?hall=h1&period=2026-13").status_code == 422
    assert client.get("/month/report.doc?hall=h1&period=2026-05").status_code in (404, 422)
    assert audit_actions(factory).count("export.month_report") == 3


def test_kept_reports_are_listed_and_downloaded_and_nothing_else(
    client: TestClient, month: Hall, settings: Settings
) -> None:
    settings.report_dir.mkdir()
    (settings.report_dir / "h1_2026-W20.pdf").write_bytes(b"%PDF-1.7 kept")
    (settings.report_dir / "h2_2026-W20.pdf").write_bytes(b"%PDF-1.7 other hall")
    sign_in(client, "super1")
    page = client.get(f"/month?{MAY}")
    assert "/month/kept/h1_2026-W20.pdf" in page.text
    assert "h2_2026-W20" not in page.text
    assert client.get("/month/kept/h1_2026-W20.pdf").content == b"%PDF-1.7 kept"
    assert client.get("/month/kept/h2_2026-W20.pdf").status_code == 404
    assert client.get("/month/kept/..%2Fsecret.pdf").status_code in (404, 422)
