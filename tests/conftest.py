"""Settings every test needs before anything imports Qt, and the fixtures every kind of
test shares."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.support.system import LiveServer

# Widgets render offscreen: tests run on machines without a display (CI, SSH sessions).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The kiosk fixtures (a real kiosk on a real store, a finger that taps) serve the kiosk
# tests and the whole-system tests alike.
pytest_plugins = ("tests.kiosk.fixtures",)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator["LiveServer"]:
    """The real server process (`hallrate-server serve`) on a free loopback port, on a
    SQLite file of its own under tmp_path/server."""
    from tests.support.system import LiveServer

    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


#: Debian's chromium: Playwright cannot download its own browser here (no internet).
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """Headless Chromium driven by Playwright, one per test run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                # This machine has no internet: without these Chromium keeps trying.
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test that drives Chromium says so, for `make check` to leave it to `make test`.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
