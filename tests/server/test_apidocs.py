"""The API documentation pages work in a hall without internet: every script, style and
icon of `/docs` and `/redoc` comes from the server itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route

from tests.support.system import LiveServer


def _offline_page_errors(browser: Browser, url: str, ready: str) -> tuple[list[str], str]:
    """Open `url` with every request that would leave the machine refused; the refused
    addresses, and the text of the `ready` element once it shows."""
    refused: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 768})

    def only_loopback(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(ready, timeout=20_000)
        return refused, page.inner_text(ready)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/docs", ".swagger-ui .info .title"),
        ("/redoc", "h1"),
    ],
)
def test_api_docs_render_with_nothing_fetched_from_elsewhere(
    live_server: LiveServer, browser: Browser, path: str, ready: str
) -> None:
    refused, title = _offline_page_errors(browser, live_server.url + path, ready)
    assert refused == []
    assert "hallrate server" in title
