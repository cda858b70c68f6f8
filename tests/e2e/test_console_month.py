"""The Month and Points pages in Debian's Chromium against the real server process: an
administrator closes a month by keyboard, verifies it and downloads its report; a
supervisor records a rectification and reads a staff member's points; the bar chart is
drawn; no serious or critical axe-core violation in either language; screenshots at the
console's three sizes in both languages (written to screenshots/console-month/)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from server.database import make_engine, make_session_factory
from tests.e2e.test_console import add_users, axe_violations, browser, new_context
from tests.server.month_data import add_device, build_month
from tests.support.system import LiveServer

__all__ = ["browser"]

OUT = Path(__file__).resolve().parents[2] / "screenshots" / "console-month"
MAY = "hall=h1&month=2026-05"
PASSWORD = "console-password"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    (tmp_path / "server").mkdir()
    live = LiveServer(tmp_path / "server")
    live.env["HALLRATE_REPORT_DIR"] = str(tmp_path / "reports")
    live.cli("counter", "add", "c1", "--hall", "h1", "--name", "1号窗口 户籍")
    live.cli("counter", "add", "c2", "--hall", "h1", "--name", "2号窗口 社保")
    engine = make_engine(live.db_url)
    with make_session_factory(engine).begin() as session:
        build_month(session, add_device(session, "c1"))
    engine.dispose()
    add_users(live)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("#today-panel")).to_be_visible()


def test_an_admin_closes_verifies_and_downloads_a_month_by_keyboard(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    context = new_context(browser, "zh-CN")
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.goto(f"{server.url}/month?{MAY}")
        expect(page.locator("#month-ratings")).to_have_text("63")
        # The chart is drawn: one bar per counter with ratings.
        expect(page.locator("#means-chart svg path").first).to_be_attached()
        page.locator("#close-month").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#month-status")).to_contain_text("已关闭")
        page.get_by_role("button", name="按原始评价核对").press("Enter")
        expect(page.locator("#verification")).to_contain_text("核对无误")
        with page.expect_download() as download:
            page.get_by_role("link", name="大厅报告 2026-05（PDF）").click()
        target = tmp_path / "report.pdf"
        download.value.save_as(target)
        text = subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "示范政务服务大厅" in text
        assert "2026-05" in text
        # The order opened for counter c1, over the limit.
        expect(page.locator("#h-rect + .card h3")).to_contain_text("1号窗口")
    finally:
        context.close()


def test_a_supervisor_records_a_rectification_and_reads_the_points_breakdown(
    browser: Browser, server: LiveServer
) -> None:
    server.cli("month", "close", "2026-05", "--hall", "h1")
    context = new_context(browser, "en-US")
    try:
        page = context.new_page()
        sign_in(page, server, "sup")
        page.goto(f"{server.url}/month?{MAY}")
        expect(page.locator("#close-month")).to_have_count(0)
        page.get_by_label("Owner").fill("王科长")
        page.get_by_label("Actions taken").fill("服务礼仪培训，窗口增加引导员")
        page.get_by_label("Outcome").fill("培训完成")
        page.get_by_role("button", name="Record the rectification").click()
        expect(page.locator(".actions .card")).to_contain_text("re-measuring")
        page.goto(f"{server.url}/points?{MAY}")
        page.get_by_role("link", name="Staff s2").click()
        breakdown = page.locator("#breakdown")
        expect(breakdown).to_contain_text("Staff s2: 78.20")
        expect(breakdown).to_contain_text("One-visit completion rate")
        expect(breakdown.locator("code")).to_have_count(2)
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_month_pages_have_no_serious_accessibility_violation_and_are_photographed(
    browser: Browser, server: LiveServer, locale: str
) -> None:
    server.cli("month", "close", "2026-05", "--hall", "h1")
    lang = "zh_CN" if locale == "zh-CN" else "en"
    pages = [
        ("month", f"/month?{MAY}&verify=1"),
        ("points", f"/points?{MAY}&staff=s2"),
        ("month-open", "/month?hall=h1&month=2026-06"),
    ]
    found: dict[str, list[dict[str, Any]]] = {}
    folder = OUT / lang
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080), (390, 844)):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            bypass_csp=True,
            is_mobile=width < 500,
            has_touch=width < 500,
        )
        try:
            page = context.new_page()
            sign_in(page, server, "admin")
            for name, path in pages:
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"), full_page=True)
                wide = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert wide <= 0, f"{name} scrolls sideways by {wide}px at {width}x{height}"
                if width == 1366:
                    found[name] = axe_violations(page)
        finally:
            context.close()
    assert {name: v for name, v in found.items() if v} == {}
