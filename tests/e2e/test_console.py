"""The supervisor console, whole system: the real server process, a kiosk store that rates
through the real sync, and Debian's Chromium (Playwright) signed in as the hall's
supervisor. The alert appears without a reload, is worked to closed from the keyboard and
the mouse, the citizen's receipt page shows the reply, and the audit log holds each step.
Every page is checked with axe-core for serious or critical accessibility violations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from kiosk.device import client_factory, enroll_device
from kiosk.store import Store
from server.database import make_engine, make_session_factory
from server.models import Role
from server.settings import Settings
from server.users import service as users
from tests.support.system import COUNTER, LiveServer

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "console-password"
LIVE_WAIT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def add_users(server: LiveServer) -> None:
    settings = Settings(
        environment="test",
        secret_key="e2e-console-secret-0123456789abcdefXYZ",
        password_time_cost=1,
        password_memory_kib=64,
    )
    engine = make_engine(server.db_url)
    now = datetime.now(UTC)
    hasher = users.hasher_for(settings)
    with make_session_factory(engine).begin() as session:
        users.create_user(session, "sup", PASSWORD, Role.SUPERVISOR, "h1", now, hasher)
        users.create_user(session, "admin", PASSWORD, Role.ADMIN, None, now, hasher)
    engine.dispose()


def new_context(browser: Browser, locale: str = "en-US") -> BrowserContext:
    # bypass_csp: axe-core is injected as an inline script, which the console's CSP refuses.
    return browser.new_context(
        viewport={"width": 1366, "height": 768}, locale=locale, bypass_csp=True
    )


def sign_in(page: Page, server: LiveServer, username: str = "sup") -> None:
    page.goto(server.url + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("#today-panel")).to_be_visible()


def rate_two_stars(store: Store) -> str:
    """A citizen gives 2 stars everywhere at the kiosk; the kiosk syncs. The receipt code."""
    recorded = store.record_rating(
        counter_id=COUNTER,
        scores=dict.fromkeys(("attitude", "efficiency", "process", "environment", "overall"), 2),
        reasons=["efficiency.long_wait"],
        comment="<b>等了很久</b>",
    )
    client = client_factory(store)
    assert client is not None
    assert client.run_once(force=True).state == "delivered"
    return recorded.receipt


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def kiosk(tmp_path: Path, live_server: LiveServer) -> Iterator[Store]:
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    enroll_device(store, live_server.url, live_server.enroll_code())
    yield store
    store.close()


def test_a_supervisor_answers_a_two_star_rating_from_the_console_to_the_receipt_page(
    browser: Browser, live_server: LiveServer, kiosk: Store
) -> None:
    add_users(live_server)
    context = new_context(browser)
    try:
        today = context.new_page()
        sign_in(today, live_server)
        expect(today.locator("#open-alerts")).to_have_text("0")
        queue = context.new_page()
        queue.goto(live_server.url + "/alerts")
        expect(queue.locator("tr[data-alert]")).to_have_count(0)

        receipt = rate_two_stars(kiosk)

        # Both pages update themselves (htmx polling); nobody reloads. One rating is too
        # few to judge the counter's month by the 20% rule: one alert, the low score's.
        expect(today.locator("#open-alerts")).to_have_text("1", timeout=LIVE_WAIT_MS)
        expect(today.locator("#ratings-today")).to_have_text("1")
        expect(queue.locator("tr[data-alert]")).to_have_count(1, timeout=LIVE_WAIT_MS)
        row = queue.locator("tr[data-alert]", has_text="low score")
        expect(row.locator(".countdown")).to_contain_text("left")

        row.locator("a").click()
        page = queue
        expect(page.locator("#alert-state")).to_have_text("open")
        # The comment is shown as text, never as markup.
        expect(page.locator("#comment")).to_have_text("<b>等了很久</b>")
        assert page.locator("#comment b").count() == 0

        # Acknowledge by keyboard alone: type the note, Tab to the button, Enter.
        page.focus("#note-acknowledge")
        page.keyboard.type("I take it on and call this afternoon")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Acknowledge"
        page.keyboard.press("Enter")
        expect(page.locator("#alert-state")).to_have_text("acknowledged")

        # An empty note is refused, and says so.
        page.check("form[action$='/step/call-back'] input[value='yes']")
        page.evaluate("document.querySelector('#note-call-back').removeAttribute('required')")
        page.click("form[action$='/step/call-back'] button")
        expect(page.locator("#problem")).to_be_visible()
        expect(page.locator("#alert-state")).to_have_text("acknowledged")

        page.check("form[action$='/step/call-back'] input[value='yes']")
        page.fill("#note-call-back", "Called the citizen: waited 40 minutes, apologised")
        page.click("form[action$='/step/call-back'] button")
        expect(page.locator("#alert-state")).to_have_text("called back")
        page.fill("#note-rectify", "A second clerk at counter 1 at peak hours")
        page.click("form[action$='/step/rectify'] button")
        expect(page.locator("#alert-state")).to_have_text("rectified")
        page.fill("#reply", "We now open a second clerk at peak hours. Thank you.")
        page.click("form[action$='/reply'] button")
        expect(page.locator("#public-reply")).to_contain_text("second clerk")
        page.select_option("#cause", "waiting")
        page.fill("#note-close", "Citizen satisfied with the change")
        page.click("form[action$='/step/close'] button")
        expect(page.locator("#alert-state")).to_have_text("closed")
        expect(page.locator("#cause")).to_have_text("waiting")
        expect(today.locator("#open-alerts")).to_have_text("0", timeout=LIVE_WAIT_MS)

        citizen = context.new_page()
        citizen.goto(f"{live_server.url}/r/{receipt}?lang=en")
        expect(citizen.locator("body")).to_contain_text(
            "We now open a second clerk at peak hours. Thank you."
        )
    finally:
        context.close()
    actions = [
        row[0]
        for row in live_server._query(
            "SELECT action FROM audit_log WHERE username != 'cli' ORDER BY id"
        )
    ]
    assert actions == [
        "login",
        "alert.acknowledge",
        "alert.call-back",
        "alert.rectify",
        "alert.reply",
        "alert.close",
    ]
    before, after = live_server._query(
        "SELECT before, after FROM audit_log WHERE action = 'alert.close'"
    )[0]
    assert '"state": "rectified"' in before
    assert '"cause": "waiting"' in after


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_console_page_has_no_serious_accessibility_violation(
    browser: Browser, live_server: LiveServer, kiosk: Store, locale: str
) -> None:
    add_users(live_server)
    rate_two_stars(kiosk)
    context = new_context(browser, locale)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        found["sign-in"] = axe_violations(page)
        sign_in(page, live_server, "admin")
        for name, path in [
            ("today", "/"),
            ("alerts", "/alerts"),
            ("alert", "/alerts/1"),
            ("not-found", "/alerts/999"),
        ]:
            page.goto(live_server.url + path)
            found[name] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
