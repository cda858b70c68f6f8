"""Kiosks, Administration and Audit log in Debian's Chromium (Playwright) against the real
server process: an enrollment QR that a scanner reads and a kiosk enrolls with, a staff
photo uploaded in the browser that the kiosk fetches through sync, a scoring change that
reaches the kiosk, access by role, a forged form refused, everything by keyboard, and no
serious or critical axe-core violation on any of these pages in either language."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from kiosk.device import DEVICE_KEY, app_version, client_factory, enroll_device
from kiosk.store import Store
from tests.e2e.test_console import (
    PASSWORD,
    add_users,
    axe_violations,
    browser,
    new_context,
)
from tests.support.system import COUNTER, LiveServer

__all__ = ["browser"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real server with its photo folder under tmp_path, a staff member, and the
    console users (admin, sup of h1)."""
    (tmp_path / "server").mkdir()
    live = LiveServer(tmp_path / "server")
    live.env["HALLRATE_PHOTO_DIR"] = str(tmp_path / "photos")
    live.cli("staff", "add", "s1", "--hall", "h1", "--name", "张三", "--counter", COUNTER)
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


def kiosk_sync(store: Store) -> dict[str, Any]:
    """One sync of the enrolled kiosk through its real client; the config it kept."""
    client = client_factory(store)
    assert client is not None
    client.run_once(force=True)
    config: dict[str, Any] = store.get_setting("server.config")
    assert config, "the kiosk kept no config: the sync failed"
    return config


def device_token(store: Store) -> str:
    token: str = store.get_setting(DEVICE_KEY)["token"]
    return token


def test_an_admin_makes_an_enrollment_qr_by_keyboard_that_a_kiosk_enrolls_with(
    browser: Browser,
    server: LiveServer,
    tmp_path: Path,
) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.goto(server.url + "/kiosks")
        page.focus("#code-counter")
        page.keyboard.press("Tab")
        expect(page.locator("button:focus")).to_have_text("Make an enrollment code")
        page.keyboard.press("Enter")
        code = page.locator("#enroll-code").inner_text()
        shot = Image.open(io.BytesIO(page.locator(".qr-box").screenshot()))
        scanned = [r.text for r in zxingcpp.read_barcodes(shot)]
        assert scanned == [code]
        store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
        try:
            enroll_device(store, server.url, scanned[0])
            assert kiosk_sync(store)["timezone"] == "Asia/Shanghai"
        finally:
            store.close()
        page.goto(server.url + "/kiosks")
        row = page.locator("#fleet tbody tr").first
        expect(row).to_contain_text("online")
        expect(row).to_contain_text(app_version())
        # Revoke it by keyboard: open the confirmation, then confirm.
        page.locator("details.confirm summary").first.focus()
        page.keyboard.press("Enter")
        page.locator("details.confirm button.danger").first.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#fleet tbody tr").first).to_contain_text("revoked")
    finally:
        context.close()
    audit = server._query("SELECT action FROM audit_log WHERE action LIKE 'device.%' ORDER BY id")
    assert [a for (a,) in audit] == ["device.enrollment_code", "device.revoke"]


def test_a_staff_photo_and_a_scoring_change_reach_the_kiosk_on_its_next_sync(
    browser: Browser,
    server: LiveServer,
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    enroll_device(store, server.url, server.enroll_code())
    picture = tmp_path / "face.png"
    Image.new("RGB", (1200, 1600), (30, 90, 160)).save(picture)
    context = new_context(browser, "zh-CN")
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.goto(server.url + "/admin/staff/s1")
        page.set_input_files("#photo", str(picture))
        page.locator("#photo").press("Tab")
        expect(page.locator("button:focus")).to_have_text("上传")
        page.keyboard.press("Enter")
        expect(page.locator("p.notice")).to_have_text("已保存。")
        expect(page.locator("img.photo.large")).to_be_visible()
        page.goto(server.url + "/admin/scoring")
        page.fill("#deadline", "8")
        page.fill("#w-attitude", "0.30")
        page.fill("#w-overall", "0.00")
        page.locator("#scoring-form button[type=submit]").click()
        expect(page.locator("p.problem")).to_contain_text("must be positive")
        expect(page.locator("#deadline")).to_have_value("8")  # what was typed is kept
        page.fill("#w-overall", "0.05")
        page.fill("#w-environment", "0.10")
        page.locator("#scoring-form button[type=submit]").click()
        expect(page.locator("p.notice")).to_be_visible()
    finally:
        context.close()
    config = kiosk_sync(store)
    token = device_token(store)
    store.close()
    assert config["scoring"]["alert_deadline_hours"] == 8
    assert config["scoring"]["weights"]["attitude"] == "0.30"
    staff = {s["id"]: s for s in config["staff"]}
    photo = requests.get(
        server.url + staff["s1"]["photo_url"],
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).size == (384, 512)


def test_a_supervisor_cannot_reach_administration_and_a_forged_form_is_refused(
    browser: Browser,
    server: LiveServer,
) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        sign_in(page, server, "sup")
        expect(page.locator("nav a[href='/admin']")).to_have_count(0)
        expect(page.locator("nav a[href='/audit']")).to_have_count(0)
        assert page.goto(server.url + "/admin/users").status == 403  # type: ignore[union-attr]
        assert page.goto(server.url + "/audit").status == 403  # type: ignore[union-attr]
        assert page.goto(server.url + "/kiosks?hall=h9").status == 404  # type: ignore[union-attr]
        page.goto(server.url + "/kiosks")
        page.evaluate(
            "document.querySelector('form[action=\"/kiosks/code\"] input[name=csrf]').value = 'x'"
        )
        page.locator("form[action='/kiosks/code'] button").click()
        expect(page.locator("main [role=alert]")).to_contain_text("out of date")
    finally:
        context.close()
    assert server._query("SELECT count(*) FROM enrollment_codes")[0][0] == 0


PAGES = [
    ("kiosks", "/kiosks"),
    ("halls", "/admin/halls"),
    ("hall", "/admin/halls/h1"),
    ("counters", "/admin/counters"),
    ("counter", f"/admin/counters/{COUNTER}"),
    ("staff-list", "/admin/staff"),
    ("staff", "/admin/staff/s1"),
    ("users", "/admin/users"),
    ("user", "/admin/users/sup"),
    ("scoring", "/admin/scoring"),
    ("audit", "/audit"),
]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_kiosks_administration_and_audit_log_have_no_serious_accessibility_violation(
    browser: Browser,
    server: LiveServer,
    locale: str,
) -> None:
    server.enroll_code()
    context = new_context(browser, locale)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        page = context.new_page()
        sign_in(page, server, "admin")
        page.goto(server.url + "/kiosks")
        page.locator("form[action='/kiosks/code'] button").click()
        expect(page.locator("#enroll-code")).to_be_visible()
        found["kiosks-code"] = axe_violations(page)
        for name, path in PAGES:
            page.goto(server.url + path)
            found[name] = axe_violations(page)
        page.goto(server.url + "/admin/halls")
        page.fill("#hall-id", "bad id")
        page.fill("#hall-name", "x")
        page.evaluate("document.querySelector('#hall-id').removeAttribute('pattern')")
        page.locator("form[action='/admin/halls'] button").click()
        expect(page.locator("p.problem")).to_be_visible()
        found["halls-problem"] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
