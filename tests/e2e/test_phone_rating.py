"""Rate on your phone, whole system: the real server process, a real kiosk that syncs with
it and shows the QR, and headless Chromium (Debian's, driven by Playwright) at a phone's
360x640 following that QR, rating, and then trying the same QR again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pytestqt.qtbot import QtBot

from kiosk.device import client_factory, enroll_device
from sync.scoring import Level
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.kiosk.kiosk_drive import KioskFactory
from tests.receipts.qr_decode import decode, qimage_to_pil
from tests.support.system import LiveServer

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "phone"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        java_script_enabled=False,
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def phone_url_from_kiosk(make_kiosk: KioskFactory, server: LiveServer) -> str:
    """Enroll a real kiosk, sync once, and read the phone-rating QR off its welcome screen."""
    kiosk = make_kiosk()
    enroll_device(kiosk.store, server.url, server.enroll_code())
    client = client_factory(kiosk.store)
    assert client is not None
    assert client.run_once(force=True).state == "delivered"
    kiosk.flow.go_welcome()
    assert kiosk.flow.welcome.phone.isVisible()
    [url] = decode(qimage_to_pil(kiosk.flow.welcome.phone_qr.grab().toImage()))
    assert url.startswith(f"{server.url}/m/")
    return url


def mobile_ratings(server: LiveServer) -> list[tuple[str, int, str]]:
    rows = server._query("SELECT channel, overall, comment FROM ratings")
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def test_rating_on_the_phone_reaches_the_server_and_the_qr_works_once(
    make_kiosk: KioskFactory, live_server: LiveServer, phone: Page, qtbot: QtBot
) -> None:
    url = phone_url_from_kiosk(make_kiosk, live_server)

    phone.goto(url)
    assert phone.locator("h1").inner_text() == "服务评价"
    shot(phone, "01-form-zh_CN")
    for dimension, stars in (
        ("attitude", 2),
        ("efficiency", 1),
        ("process", 2),
        ("environment", 4),
        ("overall", 1),
    ):
        phone.check(f'input[name="{dimension}"][value="{stars}"]')
    phone.check('input[name="reason"][value="efficiency.long_wait"]')
    phone.fill('textarea[name="comment"]', "<script>alert(1)</script> 等了一小时")
    shot(phone, "02-form-filled")
    phone.click('button[type="submit"]')

    assert phone.locator("h1").inner_text() == "感谢您的评价！"
    # The comment comes back as text, not as markup.
    assert phone.locator(".comment").inner_text() == "<script>alert(1)</script> 等了一小时"
    shot(phone, "03-thanks")
    assert mobile_ratings(live_server) == [("mobile", 1, "<script>alert(1)</script> 等了一小时")]

    # The receipt link on the thanks page follows the low score.
    phone.click("a[href*='/r/']")
    assert phone.locator("h1").inner_text() == "评价回执"
    assert "已收到您的评价" in phone.content()
    assert phone.locator('li[data-step="open"]').get_attribute("class") == "done"
    shot(phone, "04-receipt-low-score")

    # The same QR a second time: refused with a page that says why.
    phone.goto(url)
    assert phone.locator("h1").inner_text() == "此二维码已使用"
    shot(phone, "05-used")
    assert len(mobile_ratings(live_server)) == 1


def test_a_second_copy_of_the_form_cannot_rate_again(
    make_kiosk: KioskFactory, live_server: LiveServer, phone: Page, qtbot: QtBot
) -> None:
    url = phone_url_from_kiosk(make_kiosk, live_server)
    other_tab = phone.context.new_page()
    other_tab.goto(url + "?lang=en")
    phone.goto(url + "?lang=en")
    assert phone.locator("h1").inner_text() == "Rate our service"
    shot(phone, "06-form-en")
    dimensions = ("attitude", "efficiency", "process", "environment", "overall")
    for dimension in dimensions:
        phone.check(f'input[name="{dimension}"][value="5"]')
    phone.click('button[type="submit"]')
    assert phone.locator("h1").inner_text() == "Thank you for your rating!"
    shot(phone, "07-thanks-en")
    # Back to the form: it is not kept (no-store), so the browser asks again and is told.
    phone.go_back()
    assert phone.locator("h1").inner_text() == "This QR code was already used"
    # A tab opened before the rating still holds the form; its post is refused.
    for dimension in dimensions:
        other_tab.check(f'input[name="{dimension}"][value="1"]')
    other_tab.click('button[type="submit"]')
    assert other_tab.locator("h1").inner_text() == "This QR code was already used"
    shot(other_tab, "08-second-tab-en")
    assert mobile_ratings(live_server) == [("mobile", 5, "")]


def test_a_form_posted_from_another_site_is_refused(
    make_kiosk: KioskFactory, live_server: LiveServer, phone: Page, qtbot: QtBot, tmp_path: Path
) -> None:
    url = phone_url_from_kiosk(make_kiosk, live_server)
    phone.goto(url)
    check = phone.locator('input[name="check"]').get_attribute("value")
    assert check is not None
    # A page elsewhere that posts a complete form, check value and all, to our address.
    fields = "".join(
        f'<input name="{name}" value="{value}">'
        for name, value in (
            ("check", check),
            ("attitude", 1),
            ("efficiency", 1),
            ("process", 1),
            ("environment", 1),
            ("overall", 1),
        )
    )
    phone.route(
        "http://elsewhere.example/attack",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<form id="f" method="post" action="{url}">{fields}<button>go</button></form>',
        ),
    )
    phone.goto("http://elsewhere.example/attack")
    phone.click("button")
    assert phone.locator("h1").inner_text() == "请求被拒绝"
    shot(phone, "09-cross-site")
    assert mobile_ratings(live_server) == []


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_form_shows_level_words_and_every_target_is_a_fingers_width(
    make_kiosk: KioskFactory, live_server: LiveServer, phone: Page, lang: str
) -> None:
    url = phone_url_from_kiosk(make_kiosk, live_server)
    phone.goto(f"{url}?lang={lang}")
    words = [
        [w.inner_text() for w in fieldset.locator(".w").all()]
        for fieldset in phone.locator("fieldset.stars").all()
    ]
    expected = [(Level(n).name_zh if lang == "zh_CN" else Level(n).name_en) for n in range(1, 6)]
    assert words == [expected] * 5, "each row shows the five level words"
    small = []
    targets = phone.locator(".stars label, .reasons label, button[type=submit], a.lang").all()
    for target in targets:
        box = target.bounding_box()
        assert box is not None
        if box["height"] < 44 or box["width"] < 44:
            small.append((target.inner_text(), box["width"], box["height"]))
    assert small == []
    shot(phone, f"00-form-level-words-{lang}")
