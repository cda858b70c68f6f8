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
    pages.append(("kiosks", "/kiosks"))
    pages.append(("notifications", "/notifications"))
    pages += _insight_pages(page, base)
    pages += [("month", "/month"), ("points", "/points")]
    return pages


def _insight_pages(page: Page, base: str) -> list[tuple[str, str]]:
    """Rankings, a counter's and a staff member's page, Compare, Comments and the public
    page, over the last 30 days of the demo hall."""
    from datetime import date, timedelta

    today = date.today()
    span = f"period=custom&from={(today - timedelta(days=29)).isoformat()}&to={today.isoformat()}"
    page.goto(f"{base}/rankings?{span}")
    counters = [
        str(a.get_attribute("value")) for a in page.locator("#ranking input[name=id]").all()
    ]
    page.goto(f"{base}/rankings?subject=staff&{span}")
    staff = page.locator("#ranking tbody th a").first.get_attribute("href")
    compare = "&".join(f"id={c}" for c in counters[:4])
    return [
        ("rankings", f"/rankings?{span}"),
        ("rankings-staff", f"/rankings?subject=staff&{span}"),
        ("counter-page", f"/scores/counter/{counters[0]}?{span}"),
        ("staff-page", str(staff)),
        ("compare", f"/compare?{compare}&{span}"),
        ("comments", f"/comments?{span}"),
        ("comments-search", f"/comments?q=%E7%AD%89&{span}"),
        ("public", "/public/demo-hall?period=quarter"),
    ]


#: Pages only an admin opens (Administration, the Audit log), as the demo's admin sees them.
ADMIN_PAGES = (
    ("admin-halls", "/admin/halls"),
    ("admin-hall", "/admin/halls/demo-hall"),
    ("admin-counters", "/admin/counters"),
    ("admin-staff", "/admin/staff"),
    ("admin-users", "/admin/users"),
    ("admin-user", "/admin/users/supervisor"),
    ("admin-scoring", "/admin/scoring"),
    ("audit", "/audit"),
    ("notifications-admin", "/notifications"),
)


def _admin_pages(page: Page, base: str, photo: Path) -> list[tuple[str, str]]:
    """ADMIN_PAGES, a staff member's and a counter's page from the demo's data; the first
    staff member gets `photo` (uploaded as an admin would)."""
    page.goto(base + "/admin/staff")
    staff = page.locator("table tbody th a").first.get_attribute("href")
    page.goto(base + str(staff))
    page.set_input_files("#photo", str(photo))
    page.locator("form[enctype] button.primary").click()
    page.wait_for_selector("img.photo.large")
    page.goto(base + "/admin/counters")
    counter = page.locator("table tbody th a").first.get_attribute("href")
    return [*ADMIN_PAGES, ("admin-staff-one", str(staff)), ("admin-counter", str(counter))]


def _portrait(folder: Path) -> Path:
    """A stand-in staff photo: a head and shoulders on a plain background."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (214, 226, 238))
    draw = ImageDraw.Draw(image)
    draw.ellipse((190, 150, 410, 400), fill=(236, 200, 170))
    draw.rounded_rectangle((90, 430, 510, 820), radius=120, fill=(40, 70, 120))
    target = folder / "portrait.png"
    image.save(target)
    return target


def _shoot(page: Page, base: str, folder: Path, name: str, path: str, size: str) -> str | None:
    """Screenshot one page; a problem when it scrolls sideways."""
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    target = folder / f"{name}-{size}.png"
    page.screenshot(path=str(target), full_page=True)
    wide = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return f"{target.name} scrolls sideways by {wide}px" if wide > 0 else None


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_selector("#today-panel")


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp))
        # The demo hall in a database of its own (LiveServer's has a counter c01 too).
        server.db_url = f"sqlite:///{Path(tmp) / 'demo.sqlite'}"
        server.cli("demo")
        server.env["HALLRATE_PHOTO_DIR"] = str(Path(tmp) / "photos")
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
                    size = f"{width}x{height}"
                    for name, path in names:
                        problem = _shoot(page, server.url, folder, name, path, size)
                        if problem:
                            problems.append(f"{problem} ({lang})")
                    # The enrollment QR: made on the Kiosks page by the hall's supervisor.
                    page.goto(server.url + "/kiosks")
                    page.locator("form[action='/kiosks/code'] button").click()
                    page.wait_for_selector("#enroll-code")
                    page.screenshot(path=str(folder / f"kiosks-code-{size}.png"), full_page=True)
                    _sign_in(page, server.url, "admin")
                    if width == SIZES[0][0] and lang == LOCALES[0][0]:
                        admin_names = _admin_pages(page, server.url, _portrait(Path(tmp)))
                    for name, path in admin_names:
                        problem = _shoot(page, server.url, folder, name, path, size)
                        if problem:
                            problems.append(f"{problem} ({lang})")
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
