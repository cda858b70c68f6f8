"""The admin PIN pad: hold the logo, right PIN, wrong PIN, lockout; exit kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from tests.kiosk.kiosk_drive import FakeClock, Finger, KioskFactory


def enter_pin(finger: Finger, kiosk: Kiosk, pin: str) -> None:
    for digit in pin:
        finger.tap(kiosk.flow.pin.pad.keys[digit])
    finger.tap(kiosk.flow.pin.pad.keys["ok"])


def open_pin_pad(kiosk: Kiosk, qtbot: QtBot) -> None:
    logo = kiosk.flow.welcome.logo
    with qtbot.waitSignal(kiosk.flow.welcome.adminRequested, timeout=2000):
        qtbot.mousePress(logo, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(logo, Qt.MouseButton.LeftButton)
    assert kiosk.flow.current() is Screen.PIN


def test_a_tap_on_the_logo_does_not_open_the_pin_pad(
    make_kiosk: KioskFactory, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = make_kiosk(admin_hold_s=5.0)
    with qtbot.assertNotEmitted(kiosk.flow.welcome.adminRequested, wait=200):
        finger.tap(kiosk.flow.welcome.logo)
    assert kiosk.flow.current() is Screen.WELCOME


def test_right_pin_opens_admin_with_store_status(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    assert kiosk.flow.current() is Screen.ADMIN
    status = kiosk.flow.admin.status.text()
    assert "已存评价：0 条" in status
    assert "待上传：0 条" in status


def test_wrong_pin_says_how_many_attempts_are_left(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "0000")
    assert kiosk.flow.current() is Screen.PIN
    assert kiosk.flow.pin.message.text() == "密码错误，还可尝试 4 次。"
    assert kiosk.flow.pin.display.text() == ""


def test_five_wrong_pins_lock_the_pad_for_five_minutes(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot, clock: FakeClock
) -> None:
    open_pin_pad(kiosk, qtbot)
    for _ in range(5):
        enter_pin(finger, kiosk, "9999")
    assert kiosk.flow.pin.message.text() == "密码错误次数过多，已锁定 5 分钟。"

    enter_pin(finger, kiosk, "123456")  # even the right PIN, while locked
    assert kiosk.flow.current() is Screen.PIN

    clock.advance(299)
    enter_pin(finger, kiosk, "123456")
    assert kiosk.flow.current() is Screen.PIN

    clock.advance(2)
    enter_pin(finger, kiosk, "123456")
    assert kiosk.flow.current() is Screen.ADMIN


def test_lockout_is_shown_when_the_pad_is_opened_again(
    kiosk: Kiosk, finger: Finger, qtbot: QtBot
) -> None:
    open_pin_pad(kiosk, qtbot)
    for _ in range(5):
        enter_pin(finger, kiosk, "9999")
    finger.tap(kiosk.flow.pin.cancel_button)
    open_pin_pad(kiosk, qtbot)
    assert "已锁定" in kiosk.flow.pin.message.text()


def test_close_requests_are_ignored_in_kiosk_mode(make_kiosk: KioskFactory, qtbot: QtBot) -> None:
    kiosk = make_kiosk(kiosk_mode=True)
    window = kiosk.window
    flags = window.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert window.isFullScreen()
    assert window.close() is False  # what Alt+F4 and the window manager's close send
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert window.isVisible()


def test_exit_kiosk_lets_the_window_close(
    make_kiosk: KioskFactory, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = make_kiosk(kiosk_mode=True)
    open_pin_pad(kiosk, qtbot)
    enter_pin(finger, kiosk, "123456")
    with qtbot.waitSignal(kiosk.flow.exitRequested):
        finger.tap(kiosk.flow.admin.exit_button)
    assert kiosk.window.close() is True
