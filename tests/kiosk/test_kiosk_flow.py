"""The citizen's flow, driven by taps on the real widgets, against a real store."""

from __future__ import annotations

import json

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.store import Store
from kiosk.ui.flow import Screen
from sync.scoring import DIMENSION_CODES
from tests.kiosk.kiosk_drive import FakeClock, Finger, KioskFactory

SCORES = {"attitude": 5, "efficiency": 2, "process": 4, "environment": 3, "overall": 1}


def stored_ratings(store: Store) -> list[dict[str, object]]:
    return [
        json.loads(entry.payload)
        for entry in store.pending_outbox(max_items=10_000, max_bytes=10**9)
        if entry.kind == "rating"
    ]


def test_rating_by_taps_stores_exactly_what_was_tapped(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    assert flow.current() is Screen.RATE
    finger.rate_all(kiosk, SCORES)
    assert flow.rate.reasons.is_shown("efficiency")
    # 800x480: the reasons are a second step behind "Next"
    assert flow.rate.submit_button.text() == "下一步"
    finger.tap(flow.rate.submit_button)
    assert flow.rate.on_reasons_step()
    finger.tap(flow.rate.reasons.button("efficiency.long_wait"))
    finger.tap(flow.rate.comment_button)
    assert flow.current() is Screen.COMMENT
    qtbot.keyClicks(flow.comment.field, "slow queue")
    finger.tap(flow.comment.done_button)
    assert flow.rate.comment_button.text() == "意见：slow queue"

    with qtbot.waitSignal(flow.ratingStored) as stored:
        finger.tap(flow.rate.submit_button)

    assert flow.current() is Screen.THANKS
    assert flow.thanks.title.text() == "感谢您的评价！"
    [rating] = stored_ratings(kiosk.store)
    assert rating["id"] == stored.args[0]
    assert rating["scores"] == SCORES
    assert rating["reasons"] == ["efficiency.long_wait"]
    assert rating["comment"] == "slow queue"
    assert rating["counter_id"] == kiosk.flow.config.counter_id
    assert rating["channel"] == "kiosk"


def test_submit_looks_ready_only_once_all_five_dimensions_are_rated(
    kiosk: Kiosk, finger: Finger
) -> None:
    finger.tap(kiosk.flow.welcome.cta)
    for code in DIMENSION_CODES:
        assert kiosk.flow.rate.submit_button.property("ready") is False
        finger.star(kiosk, code, 4)
    assert kiosk.flow.rate.submit_button.property("ready") is True


@pytest.mark.parametrize(("stars", "chips_shown"), [(1, True), (2, True), (3, False), (5, False)])
def test_reason_chips_appear_for_one_or_two_stars(
    kiosk: Kiosk, finger: Finger, stars: int, chips_shown: bool
) -> None:
    finger.tap(kiosk.flow.welcome.cta)
    finger.star(kiosk, "attitude", stars)
    reasons = kiosk.flow.rate.reasons
    assert reasons.is_shown("attitude") is chips_shown
    assert reasons.button("attitude.harsh").isHidden() is not chips_shown
    if chips_shown:
        assert reasons.button("attitude.harsh").text() == "态度生硬"


def test_a_star_shows_its_level_word(kiosk: Kiosk, finger: Finger) -> None:
    finger.tap(kiosk.flow.welcome.cta)
    finger.star(kiosk, "overall", 5)
    assert kiosk.flow.rate.stars["overall"].stars() == 5
    assert kiosk.flow.rate.stars["overall"]._rating.caption == "非常满意"


def test_raising_a_low_score_drops_its_reasons(kiosk: Kiosk, finger: Finger, qtbot: QtBot) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.star(kiosk, "attitude", 1)
    finger.tap(flow.rate.reasons.button("attitude.harsh"))
    finger.star(kiosk, "attitude", 4)
    assert not flow.rate.reasons.is_shown("attitude")
    finger.rate_all(kiosk, {c: 4 for c in DIMENSION_CODES})
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    [rating] = stored_ratings(kiosk.store)
    assert rating["reasons"] == []


def test_keyboard_tab_arrows_and_enter_rate_a_dimension(kiosk: Kiosk, qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt

    flow = kiosk.flow
    qtbot.keyClick(flow.welcome.cta, Qt.Key.Key_Return)
    assert flow.current() is Screen.RATE
    first = flow.rate.stars["attitude"]
    assert first.hasFocus()
    qtbot.keyClick(first, Qt.Key.Key_Right)
    qtbot.keyClick(first, Qt.Key.Key_Right)
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert first.stars() == 3
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert flow.rate.stars["efficiency"].hasFocus()
    qtbot.keyClick(flow.rate.stars["efficiency"], Qt.Key.Key_5)
    assert flow.rate.stars["efficiency"].stars() == 5


def test_cancel_goes_back_to_welcome_and_stores_nothing(kiosk: Kiosk, finger: Finger) -> None:
    finger.tap(kiosk.flow.welcome.cta)
    finger.star(kiosk, "attitude", 2)
    finger.tap(kiosk.flow.rate.cancel_button)
    assert kiosk.flow.current() is Screen.WELCOME
    assert stored_ratings(kiosk.store) == []


def test_idle_timeout_discards_a_partial_rating(kiosk: Kiosk, finger: Finger, qtbot: QtBot) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.star(kiosk, "attitude", 2)
    finger.star(kiosk, "process", 5)
    with qtbot.waitSignal(flow.ratingDiscarded, timeout=3000):
        pass
    assert flow.current() is Screen.WELCOME
    assert stored_ratings(kiosk.store) == []
    finger.tap(flow.welcome.cta)
    assert [s.stars() for s in flow.rate.stars.values()] == [0] * 5


def test_touches_keep_a_rating_alive(kiosk: Kiosk, finger: Finger, qtbot: QtBot) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    with qtbot.assertNotEmitted(flow.ratingDiscarded, wait=0):
        for stars in (1, 2, 3, 4, 5, 4):  # 6 x 0.1 s > idle_s 0.4 s, a touch every 0.1 s
            finger.star(kiosk, "attitude", stars)
            qtbot.wait(100)
    assert flow.current() is Screen.RATE


def test_thanks_returns_to_welcome_by_itself(kiosk: Kiosk, finger: Finger, qtbot: QtBot) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, {c: 5 for c in DIMENSION_CODES})
    finger.tap(flow.rate.submit_button)
    assert flow.current() is Screen.THANKS
    qtbot.waitUntil(lambda: flow.current() is Screen.WELCOME, timeout=3000)


def test_cooldown_is_said_on_welcome_before_a_citizen_starts(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot, clock: FakeClock
) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, {c: 5 for c in DIMENSION_CODES})
    finger.tap(flow.rate.submit_button)
    finger.tap(flow.thanks)
    clock.advance(5)
    flow.go_welcome()  # the countdown is shown as soon as welcome is back

    # The next citizen is told before starting, not after rating all five rows.
    assert flow.welcome.cta.text() == "本窗口刚刚完成一次评价，请 10 秒后再评价。"
    assert flow.welcome.cta.property("waiting") is True
    with qtbot.waitSignal(flow.submissionRefused):
        finger.tap(flow.welcome.cta)
    assert flow.current() is Screen.WELCOME

    clock.advance(10)  # 15 s after the first rating
    qtbot.waitUntil(lambda: flow.welcome.cta.text() == "请您对本次服务进行评价", timeout=3000)
    assert flow.welcome.cta.property("waiting") is False
    finger.tap(flow.welcome.cta)
    assert flow.current() is Screen.RATE
    finger.rate_all(kiosk, {c: 5 for c in DIMENSION_CODES})
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
    assert len(stored_ratings(kiosk.store)) == 2


def test_score_badge_shows_today_and_month_from_the_local_store(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot, clock: FakeClock
) -> None:
    flow = kiosk.flow
    assert "暂无评价" in flow.welcome.badge.today.text()
    for stars in (5, 3):
        finger.tap(flow.welcome.cta)
        finger.rate_all(kiosk, {c: stars for c in DIMENSION_CODES})
        finger.tap(flow.rate.submit_button)
        finger.tap(flow.thanks)
        clock.advance(20)
    assert flow.welcome.badge.today.text() == "今日\n4.00 分 · 2 条"
    assert flow.welcome.badge.month.text() == "本月\n4.00 分 · 2 条"
    assert flow.welcome.badge.origin.text() == "本机统计"


def test_settings_an_admin_saved_survive_a_restart(
    make_kiosk: KioskFactory, finger: Finger
) -> None:
    kiosk = make_kiosk()
    flow = kiosk.flow
    flow.welcome.adminRequested.emit()
    for digit in "123456":
        finger.tap(flow.pin.pad.keys[digit])
    finger.tap(flow.pin.pad.keys["ok"])
    assert flow.current() is Screen.ADMIN
    flow.admin.counter_name.setText("5号窗口 社保")
    flow.admin.new_pin.setText("2468")
    finger.tap(flow.admin.save_button)
    assert flow.admin.saved_note.text() == "已保存。"
    finger.tap(flow.admin.back_button)
    assert flow.welcome.counter.text() == "5号窗口 社保"
    kiosk.close()

    again = make_kiosk()
    assert again.flow.welcome.counter.text() == "5号窗口 社保"
    assert again.flow.config.check_pin("2468")
    assert not again.flow.config.check_pin("123456")
