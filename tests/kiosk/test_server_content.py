"""The kiosk offers the low-score reasons the server sends in its sync config (admins edit
them on the console's scoring settings) instead of only its built-in ones."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from kiosk.ui.screens.rate import ReasonPlace
from sync.client import LAST_ERROR, SERVER_CONFIG
from tests.kiosk.kiosk_drive import Finger
from tests.kiosk.test_kiosk_admin import enter_pin, open_pin_pad

SERVER_REASONS = [
    {"code": "attitude.ignored", "dimension": "attitude", "zh": "不理不睬", "en": "Ignored me"},
    {"code": "overall.queue", "dimension": "overall", "zh": "排队太久", "en": "Queue too long"},
]


def test_reasons_from_the_server_replace_the_built_in_ones_for_the_next_citizen(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    flow = kiosk.flow
    kiosk.store.set_setting(SERVER_CONFIG, {"reasons": SERVER_REASONS})
    flow.go_welcome()
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, {"attitude": 1, "efficiency": 1, "process": 5, "environment": 5})
    finger.star(kiosk, "overall", 2)
    reasons = flow.rate.reasons
    assert reasons.codes("attitude") == ["attitude.ignored"]
    assert reasons.codes("efficiency") == []  # the server offers none for it
    assert not reasons.is_shown("efficiency")
    if flow.rate.place() is ReasonPlace.STEP:
        finger.tap(flow.rate.submit_button)  # "Next" to the reasons step
    assert reasons.button("attitude.ignored").text() == "不理不睬"
    finger.tap(reasons.button("attitude.ignored"))
    finger.tap(reasons.button("overall.queue"))
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    assert flow.current() is Screen.THANKS
    [payload] = [
        json.loads(e.payload)
        for e in kiosk.store.pending_outbox(max_items=10, max_bytes=10**6)
        if e.kind == "rating"
    ]
    assert payload["reasons"] == ["attitude.ignored", "overall.queue"]


def test_unusable_reasons_from_the_server_leave_the_kiosks_own(kiosk: Kiosk) -> None:
    flow = kiosk.flow
    kiosk.store.set_setting(SERVER_CONFIG, {"reasons": [{"code": "x", "dimension": "nope"}]})
    flow.go_welcome()
    assert flow.rate.reasons.codes("attitude") == ["attitude.harsh", "attitude.shirking"]


def test_a_server_without_reasons_leaves_the_kiosks_own(kiosk: Kiosk) -> None:
    kiosk.store.set_setting(SERVER_CONFIG, {"public_url": "https://example.org"})
    kiosk.flow.go_welcome()
    assert kiosk.flow.rate.reasons.codes("overall") == ["overall.unresolved"]


STAFF = [
    {"id": "s-7", "name": "王芳", "counter_id": "c-09", "photo_sha256": None, "photo_url": None},
    {"id": "s-2", "name": "李明", "counter_id": "counter-01", "photo_sha256": None},
]


def test_hall_it_picks_the_staff_on_duty_from_the_servers_list(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    flow = kiosk.flow
    kiosk.store.set_setting(SERVER_CONFIG, {"staff": STAFF})
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    admin = flow.admin
    # This counter's staff first; the typed id and name fields are not offered.
    assert [b.text() for b in admin.staff_chips.values()] == ["李明", "王芳"]
    assert not admin.staff_id.isVisible()
    assert not admin.staff_name.isVisible()
    admin.scroll_area.ensureWidgetVisible(admin.staff_chips["s-7"])
    finger.tap(admin.staff_chips["s-7"])
    admin.scroll_area.ensureWidgetVisible(admin.save_button)
    finger.tap(admin.save_button)
    assert admin.saved_note.text() == "已保存。"
    assert (flow.config.staff.id, flow.config.staff.name) == ("s-7", "王芳")
    assert admin.staff_chips["s-7"].isChecked()


def test_the_admin_screen_shows_no_file_paths_or_raw_errors(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk.store.set_setting(
        LAST_ERROR, {"ts": 1.0, "status": None, "error": "network: ConnectError"}
    )
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    admin = kiosk.flow.admin
    shown = admin.status.text() + "\n" + admin.sync_panel.status.text()
    assert str(kiosk.store.path.parent) not in shown
    assert "ConnectError" not in shown
    assert "无法连接评分中心" in shown
    # Without a staff list from the server, id and name are typed in.
    assert admin.staff_id.isVisible()
    assert not admin.staff_picker.isVisible()
