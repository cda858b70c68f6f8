"""The Notifications page in Debian's Chromium against the real server process: an admin
adds a webhook channel with the form, a kiosk's low score is delivered to a real local
HTTP receiver by the server's delivery job, and the page shows it sent; the hall's
supervisor reads the same delivery without the channel's address; no serious axe-core
violation in either language."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kiosk.device import enroll_device
from kiosk.store import Store
from tests.e2e.test_console import (
    LIVE_WAIT_MS,
    add_users,
    axe_violations,
    browser,
    new_context,
    rate_two_stars,
    sign_in,
)
from tests.server.test_notify import Receiver
from tests.support.system import LiveServer

__all__ = ["browser"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real server, its delivery job looking every half second, and console users."""
    (tmp_path / "server").mkdir()
    live = LiveServer(tmp_path / "server")
    live.env["HALLRATE_NOTIFY_INTERVAL_S"] = "0.5"
    add_users(live)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def _until_sent(page: Page, url: str) -> None:
    """Reload the delivery list until its first row says sent (the job runs apart)."""
    deadline = time.monotonic() + LIVE_WAIT_MS / 1000
    while time.monotonic() < deadline:
        page.goto(url)
        if "sent" in (page.locator("#deliveries tbody tr").first.text_content() or ""):
            return
        time.sleep(0.3)
    raise AssertionError("the notification was not shown as sent in time")


def test_a_channel_added_in_the_browser_delivers_a_low_score_and_shows_it_sent(
    browser: Browser, server: LiveServer, receiver: Receiver, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    enroll_device(store, server.url, server.enroll_code())
    context = new_context(browser)
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.click("nav >> text=Notifications")
        expect(page.locator("h1")).to_contain_text("Notifications")
        page.fill("#c-url", f"json://127.0.0.1:{receiver.port}/hook?secret=abc")
        page.select_option("#c-role", "supervisor")
        page.fill("#c-label", "Duty desk")
        page.locator("#channel-form button[type=submit]").click()
        expect(page.locator("p.notice")).to_be_visible()
        expect(page.locator("#channels tbody tr")).to_have_count(1)
        expect(page.locator("#channels")).to_contain_text(f"json://127.0.0.1:{receiver.port}/…")
        assert "secret=abc" not in page.content()

        rate_two_stars(store)
        _until_sent(page, server.url + "/notifications")
        row = page.locator("#deliveries tbody tr").first
        expect(row).to_contain_text("New alert")
        expect(row).to_contain_text("Duty desk")
        assert any(path.startswith("/hook") for path, _body in receiver.bodies)

        supervisor = context.new_page()
        context.clear_cookies()
        sign_in(supervisor, server, "sup")
        supervisor.goto(server.url + "/notifications")
        expect(supervisor.locator("#deliveries tbody tr").first).to_contain_text("sent")
        assert str(receiver.port) not in supervisor.content()
        expect(supervisor.locator("#channel-form")).to_have_count(0)
    finally:
        context.close()
        store.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_notifications_page_has_no_serious_accessibility_violation(
    browser: Browser, server: LiveServer, locale: str
) -> None:
    context = new_context(browser, locale)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.goto(server.url + "/notifications")
        found["admin"] = axe_violations(page)
        page.fill("#p-closures", "not a date")
        page.locator("#profile-form button[type=submit]").click()
        expect(page.locator("p.problem")).to_be_visible()
        found["profile-problem"] = axe_violations(page)
        context.clear_cookies()
        sign_in(page, server, "sup")
        page.goto(server.url + "/notifications")
        found["supervisor"] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
