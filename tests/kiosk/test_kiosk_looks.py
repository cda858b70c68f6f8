"""What a citizen sees: language switching, large text, touch target sizes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from kiosk.ui.widgets.stars import StarEditor
from tests.kiosk.kiosk_drive import Finger, KioskFactory


def test_language_switch_changes_visible_text_live(kiosk: Kiosk, finger: Finger) -> None:
    flow = kiosk.flow
    assert flow.welcome.cta.text() == "请您对本次服务进行评价"
    finger.tap(flow.welcome.language)
    assert flow.welcome.cta.text() == "Rate our service"
    assert flow.welcome.language.text() == "中文"
    finger.tap(flow.welcome.cta)
    assert flow.rate.names["attitude"].text() == "Attitude"
    assert flow.rate.submit_button.text() == "Submit"
    finger.star(kiosk, "attitude", 1)
    assert flow.rate.reasons.button("attitude.harsh").text() == "Rude manner"
    assert flow.rate.stars["attitude"]._rating.caption == "Very dissatisfied"


def test_next_citizen_gets_the_kiosk_language_back(kiosk: Kiosk, finger: Finger) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.language)
    finger.tap(flow.welcome.cta)
    finger.tap(flow.rate.cancel_button)
    assert flow.welcome.cta.text() == "请您对本次服务进行评价"


def test_large_text_makes_text_and_stars_bigger(kiosk: Kiosk, finger: Finger) -> None:
    flow = kiosk.flow
    before_font = flow.welcome.cta.font().pixelSize()
    before_star = flow.rate.stars["attitude"].star_size()
    finger.tap(flow.welcome.large_text)
    assert kiosk.window.scale() == "compact-xl"
    assert flow.welcome.cta.font().pixelSize() > before_font
    assert flow.rate.stars["attitude"].star_size() > before_star


def _targets(screen: QWidget) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(screen):
            continue
        if isinstance(widget, StarEditor):
            for star in range(1, 6):
                rect = widget.star_target(star)
                found.append((f"{widget.objectName()}[{star}]", rect.width(), rect.height()))
        elif isinstance(widget, QAbstractButton | QLineEdit):
            name = widget.objectName() or widget.text()
            found.append((name, widget.width(), widget.height()))
    return found


@pytest.mark.parametrize(
    ("size", "minimum", "large_text"),
    [((1920, 1080), 64, False), ((800, 480), 48, False), ((800, 480), 48, True)],
)
def test_every_touch_target_is_large_enough(
    make_kiosk: KioskFactory,
    finger: Finger,
    size: tuple[int, int],
    minimum: int,
    large_text: bool,
) -> None:
    kiosk = make_kiosk(size=size, large_text=large_text)
    flow = kiosk.flow
    finger.star_all = None  # type: ignore[attr-defined]
    screens: list[tuple[Screen, QWidget]] = [(Screen.WELCOME, flow.welcome)]
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, {"attitude": 1, "efficiency": 2, "process": 3, "environment": 4})
    screens.append((Screen.RATE, flow.rate))
    small: list[tuple[str, str, int, int]] = []
    for screen_name, screen in screens:
        for name, width, height in _targets(screen):
            if min(width, height) < minimum:
                small.append((screen_name.value, name, width, height))
    flow.go_welcome()
    flow.welcome.adminRequested.emit()
    for name, width, height in _targets(flow.pin):
        if min(width, height) < minimum:
            small.append(("pin", name, width, height))
    assert small == []
