"""Rankings, a counter's page, Compare, Comments, exports and the public page in Chromium,
on the real server process with the demo hall and a kiosk that rates through the real
sync: counts trace to the ratings behind them, a two-character Chinese query finds its
comment highlighted, SQL or HTML in a query is harmless, phone numbers show masked, a CSV
download opens back with the csv module, and no page has a serious axe-core violation."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from kiosk.device import client_factory, enroll_device
from kiosk.store import Store
from tests.e2e.test_console import axe_violations, browser, new_context
from tests.support.system import LiveServer

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared

PASSWORD = "demo-password"
COMMENT = "窗口服务态度冷淡，电话13812345678 <script>alert(1)</script>"
#: The demo hall's own day (Asia/Shanghai): pages pick periods by the hall's calendar, which
#: is a day ahead of this machine's UTC date from 16:00 UTC on.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
SPAN = f"period=custom&from={(TODAY - timedelta(days=29)).isoformat()}&to={TODAY.isoformat()}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo hall on the real server, plus one kiosk rating with a comment on c01."""
    root = tmp_path_factory.mktemp("insight")
    server = LiveServer(root)
    server.db_url = f"sqlite:///{root / 'demo.sqlite'}"
    server.cli("demo")
    server.start()
    store = Store.open(root / "kiosk.sqlite")
    try:
        enroll_device(store, server.url, server.enroll_code("c01"))
        store.record_rating(
            counter_id="c01",
            scores=dict.fromkeys(
                ("attitude", "efficiency", "process", "environment", "overall"), 2
            ),
            reasons=[],
            comment=COMMENT,
        )
        client = client_factory(store)
        assert client is not None
        assert client.run_once(force=True).state == "delivered"
        yield server
    finally:
        store.close()
        server.stop()


def _signed_in(browser: Browser, server: LiveServer, locale: str = "en-US") -> Page:
    page = new_context(browser, locale).new_page()
    page.goto(server.url + "/")
    page.fill("#username", "supervisor")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("#today-panel")).to_be_visible()
    return page


def test_a_count_in_the_rankings_lists_the_ratings_behind_it(
    browser: Browser, demo: LiveServer
) -> None:
    page = _signed_in(browser, demo)
    page.goto(f"{demo.url}/rankings?{SPAN}")
    first = page.locator("#ranking tbody tr").first
    count = int(first.locator("td[data-label='Ratings'] a").inner_text())
    assert count > 50
    first.locator("td[data-label='Ratings'] a").click()
    expect(page.locator("h1")).to_contain_text("Ratings")
    shown = 0
    while True:
        shown += page.locator("#comment-list > li.card").count()
        older = page.locator("a[rel=next]")
        if older.count() == 0:
            break
        older.click()
    assert shown == count
    page.context.close()


def test_sorting_and_comparing_two_counters(browser: Browser, demo: LiveServer) -> None:
    page = _signed_in(browser, demo)
    page.goto(f"{demo.url}/rankings?{SPAN}")
    page.get_by_role("link", name="Ratings").click()
    counts = [
        int(t) for t in page.locator("#ranking tbody td[data-label='Ratings'] a").all_inner_texts()
    ]
    assert counts == sorted(counts)
    names = page.locator("#ranking tbody th a").all_inner_texts()[:2]
    for box in page.locator("#ranking input[name=id]").all()[:2]:
        box.check()
    page.get_by_role("button", name="Compare the chosen").click()
    header = page.locator("#compare thead").inner_text()
    assert all(name in header for name in names)
    page.context.close()


def test_the_counter_page_draws_its_charts_with_the_numbers_beside(
    browser: Browser, demo: LiveServer
) -> None:
    page = _signed_in(browser, demo, "zh-CN")
    page.goto(f"{demo.url}/scores/counter/c06?{SPAN}")
    for chart in ("#trend-chart", "#dims-chart", "#heat-chart"):
        expect(page.locator(f"{chart} svg")).to_be_visible()
    page.locator("#trend-chart + details summary").click()
    rows = page.locator("#trend-table tbody tr")
    assert rows.count() == 30
    total = sum(
        int(t) for t in page.locator("#trend-table tbody tr td:nth-child(2)").all_inner_texts()
    )
    assert total == int(page.locator("#fig-count").inner_text())
    tip = page.locator("#ind-good_rate").get_attribute("title")
    assert tip is not None
    assert "好评率" in tip
    page.context.close()


def test_a_two_character_query_finds_the_comment_masked_and_harmless(
    browser: Browser, demo: LiveServer
) -> None:
    page = _signed_in(browser, demo)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{demo.url}/comments?{SPAN}")
    page.fill("#f-q", "态度")
    page.get_by_role("button", name="Search").click()
    item = page.locator("#comment-list > li.card")
    expect(item).to_have_count(1)
    expect(item.locator("mark")).to_have_text("态度")
    text = item.inner_text()
    assert "138****5678" in text
    assert "13812345678" not in text
    assert "<script>alert(1)</script>" in text  # shown as text, never run
    for query in ("' OR 1=1 --", "<img src=x onerror=alert(1)>", "%", "_"):
        page.fill("#f-q", query)
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#comment-list")).to_contain_text("Nothing found")
    page.fill("#f-q", "1234")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#comment-list")).to_contain_text("Nothing found")
    assert dialogs == []
    page.context.close()


def test_a_csv_export_downloads_and_reads_back(browser: Browser, demo: LiveServer) -> None:
    page = _signed_in(browser, demo)
    page.goto(f"{demo.url}/scores/counter/c01?{SPAN}")
    count = int(page.locator("#fig-count").inner_text())
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    data = rows[rows.index([]) + 2 :]
    assert len(data) == count
    assert any("138****5678" in r[-1] for r in data)
    page.context.close()


def test_the_public_page_opens_without_signing_in(browser: Browser, demo: LiveServer) -> None:
    context = new_context(browser, "zh-CN")
    page = context.new_page()
    page.goto(f"{demo.url}/public/demo-hall?period=quarter")
    expect(page.locator("h1")).to_have_text("服务评价公示")
    assert not re.search(r"1[3-9]\d{9}", page.content())
    assert "supervisor" not in page.content()
    context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_new_pages_have_no_serious_accessibility_violation(
    browser: Browser, demo: LiveServer, locale: str
) -> None:
    page = _signed_in(browser, demo, locale)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, path in [
        ("rankings", f"/rankings?{SPAN}"),
        ("staff-rankings", f"/rankings?subject=staff&{SPAN}"),
        ("counter", f"/scores/counter/c01?{SPAN}"),
        ("compare", f"/compare?id=c01&id=c02&{SPAN}"),
        ("comments", f"/comments?q=态度&{SPAN}"),
        ("public", "/public/demo-hall?period=quarter"),
    ]:
        page.goto(demo.url + path)
        page.wait_for_load_state("networkidle")
        found[name] = axe_violations(page)
    page.context.close()
    assert {name: v for name, v in found.items() if v} == {}
