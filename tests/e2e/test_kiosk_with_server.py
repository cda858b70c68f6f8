"""The real kiosk and the real server: enrolled from the admin screen, rated by taps, the
rating on the server, a low score's alert back on the kiosk's staff line."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from kiosk.ui.services import ScoreOrigin
from tests.e2e.conftest import LiveServer
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.kiosk.kiosk_drive import Finger, KioskFactory
from tests.kiosk.test_kiosk_admin import enter_pin, open_pin_pad

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

LOW = {"attitude": 1, "efficiency": 1, "process": 2, "environment": 2, "overall": 1}


def enroll_from_admin(kiosk: Kiosk, finger: Finger, qtbot: QtBot, url: str, code: str) -> None:
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    assert kiosk.flow.current() is Screen.ADMIN
    panel = kiosk.flow.admin.sync_panel
    panel.server_url.setText(url)
    panel.code.setText(code)
    with qtbot.waitSignal(kiosk.sync.enrolled, timeout=20_000) as enrolled:
        finger.tap(panel.enroll_button)
    assert enrolled.args[0].ok, enrolled.args[0].error
    qtbot.waitUntil(lambda: "已登记" in panel.note.text(), timeout=5_000)
    finger.tap(kiosk.flow.admin.back_button)


def test_taps_reach_the_server_and_a_low_score_alert_comes_back_to_staff(
    live_server: LiveServer, make_kiosk: KioskFactory, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = make_kiosk(cooldown_s=0.0)
    kiosk.sync.start()
    # the first round finds no enrollment and says so
    enroll_from_admin(kiosk, finger, qtbot, live_server.url, live_server.enroll_code())
    welcome = kiosk.flow.welcome
    assert welcome.counter.text() == "1号窗口", "the kiosk takes the counter it was enrolled for"
    assert kiosk.flow.config.counter_id == "c01"

    finger.tap(welcome.cta)
    finger.rate_all(kiosk, LOW)
    with qtbot.waitSignal(kiosk.flow.ratingStored) as stored:
        finger.submit(kiosk)
    rating_id = stored.args[0]
    # the sync thread sends it about two seconds later (debounced)
    qtbot.waitUntil(lambda: live_server.ratings() != [], timeout=20_000)
    assert [rid for rid, _ in live_server.ratings()] == [rating_id]

    finger.tap(kiosk.flow.thanks)
    qtbot.waitUntil(lambda: kiosk.flow.current() is Screen.WELCOME, timeout=5_000)
    # Staff see on the admin screen that an alert is open and when it is due; the public
    # welcome screen says nothing about it.
    admin_alerts = kiosk.flow.admin.alerts
    qtbot.waitUntil(lambda: admin_alerts.text().startswith("待处理提醒：1 条"), timeout=5_000)
    # the low score only: one rating is too few to judge the month's low-score rate
    kinds = sorted(a.kind for a in kiosk.store.server_alerts("c01"))
    assert kinds == ["low_score"]
    assert "最近期限" in admin_alerts.text()
    assert not [w for w in welcome.findChildren(QLabel) if "提醒" in w.text()]
    # The badge now shows the server's figures, and says so.
    assert welcome.badge.origin.text() == "来自评分中心"
    assert welcome.badge.today.text() == "今日\n1.40 分 · 1 条"
    assert kiosk.scores.scores("c01").origin is ScoreOrigin.SERVER

    # The admin screen reports the delivery.
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    status = kiosk.flow.admin.sync_panel.status.text()
    assert "待上传：0" in status
    assert "上次成功：从未" not in status
