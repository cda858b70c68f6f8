"""`make screenshots` (console part): every console page of the demo hall at 1366x768,
1920x1080 and 390x844, in Chinese and English, into screenshots/console/<lang>/.

Runs the real server (`hallrate-server serve`) on a demo database in a temporary folder
and drives Debian's Chromium with Playwright. Prints each page that scrolls sideways
(a layout bug on that screen) and exits 1 if any does.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.support.system import LiveServer

OUT = Path(__file__).resolve().parents[2] / "screenshots" / "console"
CHROMIUM = "/usr/bin/chromium"
SIZES = ((1366, 768), (1920, 1080), (390, 844))
LOCALES = (("zh_CN", "zh-CN"), ("en", "en-US"))
PASSWORD = "demo-password"


def _pages(page: Page, base: str) -> list[tuple[str, str]]:
    """(name, path) of every console page worth a look, found from the demo's data."""
    page.goto(base + "/alerts?state=active")
    open_id = page.locator("tr[data-alert]").first.get_attribute("data-alert")
    page.goto(base + "/alerts?state=closed")
    closed_id = page.locator("tr[data-alert]").first.get_attribute("data-alert")
    pages = [
        ("today", "/"),
        ("alerts", "/alerts"),
        ("alert-open", f"/alerts/{open_id}"),
        ("alert-closed", f"/alerts/{closed_id}"),
        ("not-found", "/alerts/99999999"),
    ]
    # Pages that may not exist yet on this branch (Kiosks, Administration, Audit log).
    for name, path in (("kiosks", "/kiosks"), ("admin", "/admin"), ("audit", "/audit")):
        if page.goto(base + path).status == 200:  # type: ignore[union-attr]
            pages.append((name, path))
    return pages


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp))
        # The demo hall in a database of its own (LiveServer's has a counter c01 too).
        server.db_url = f"sqlite:///{Path(tmp) / 'demo.sqlite'}"
        server.cli("demo")
        server.start()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for lang, locale in LOCALES:
                for width, height in SIZES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        locale=locale,
                        device_scale_factor=1,
                        is_mobile=width < 500,
                        has_touch=width < 500,
                    )
                    page = context.new_page()
                    folder = OUT / lang
                    folder.mkdir(parents=True, exist_ok=True)
                    page.goto(server.url + "/")
                    page.screenshot(path=str(folder / f"signin-{width}x{height}.png"))
                    page.fill("#username", "supervisor")
                    page.fill("#password", PASSWORD)
                    page.press("#password", "Enter")
                    page.wait_for_selector("#today-panel")
                    if width == SIZES[0][0]:
                        names = _pages(page, server.url)
                    for name, path in names:
                        page.goto(server.url + path)
                        page.wait_for_load_state("networkidle")
                        target = folder / f"{name}-{width}x{height}.png"
                        page.screenshot(path=str(target), full_page=True)
                        wide = page.evaluate(
                            "document.documentElement.scrollWidth - "
                            "document.documentElement.clientWidth"
                        )
                        if wide > 0:
                            problems.append(f"{target.name} ({lang}) scrolls sideways by {wide}px")
                    context.close()
        finally:
            browser.close()
            server.stop()
    written = sorted(p.relative_to(OUT) for p in OUT.rglob("*.png"))
    print(f"console screenshots: {len(written)} files in {OUT}")
    for problem in problems:
        print("problem:", re.sub(r"\s+", " ", problem), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
