"""The rate screen at every supported size, in both languages, with and without large text:
five rows and Submit on one screen, nothing moving under the finger, reasons in their own
place, and a tap on Submit too early pointing at the row still missing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from kiosk.ui.screens.rate import ReasonPlace
from sync.scoring import DIMENSION_CODES
from tests.kiosk.kiosk_drive import Finger, KioskFactory

SIZES = [(800, 480), (1024, 600), (1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]
ALL_LOW = {"attitude": 1, "efficiency": 2, "process": 1, "environment": 2, "overall": 1}


def _rect(widget: QWidget, kiosk: Kiosk) -> QRect:
    return QRect(widget.mapTo(kiosk.window, QPoint(0, 0)), widget.size())


def _fully_shown(widget: QWidget, kiosk: Kiosk) -> bool:
    """Visible, and not clipped by any widget it sits in (nor by the screen's edge)."""
    if not widget.isVisible():
        return False
    parent = widget.parentWidget()
    while parent is not None:
        inside = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
        if not parent.rect().contains(inside):
            return False
        if parent is kiosk.window:
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_five_rows_fit_and_stay_put_while_every_row_is_rated_low(
    make_kiosk: KioskFactory,
    finger: Finger,
    size: tuple[int, int],
    language: str,
    large_text: bool,
) -> None:
    kiosk = make_kiosk(size=size, language=language, large_text=large_text)
    flow, rate = kiosk.flow, kiosk.flow.rate
    assert (kiosk.window.width(), kiosk.window.height()) == size
    finger.tap(flow.welcome.cta)
    assert flow.current() is Screen.RATE

    rows = [*rate.stars.values(), *rate.names.values()]
    for widget in [*rows, rate.submit_button, rate.cancel_button, rate.comment_button]:
        assert _fully_shown(widget, kiosk), f"{widget.objectName() or widget.text()} cut off"
    for editor in rate.stars.values():
        assert editor.drawn_size() >= 48  # a finger's target, whatever the screen

    before = [_rect(w, kiosk) for w in rows]
    for code, stars in ALL_LOW.items():
        finger.star(kiosk, code, stars)
        assert [_rect(w, kiosk) for w in rows] == before, f"a row moved when {code} was tapped"
        assert rate.stars[code]._rating.caption  # the level word shows beside the stars

    chips = [rate.reasons.button(r.code) for r in flow.config.reasons]
    if rate.place() is ReasonPlace.STEP:
        assert rate.submit_button.text() in ("下一步", "Next")
        finger.tap(rate.submit_button)
        assert rate.on_reasons_step()
    for chip in chips:
        assert _fully_shown(chip, kiosk), f"reason {chip.text()} cut off in {rate.place()}"
        assert min(chip.width(), chip.height()) >= 48, f"reason {chip.text()} too small"
    assert _fully_shown(rate.submit_button, kiosk)

    finger.tap(chips[0])
    with_reasons = 0

    def stored() -> None:
        nonlocal with_reasons
        with_reasons += 1

    flow.ratingStored.connect(stored)
    finger.tap(rate.submit_button)
    assert flow.current() is Screen.THANKS
    assert with_reasons == 1


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080), (1080, 1920)])
def test_wide_and_tall_screens_show_reasons_beside_or_below_small_ones_as_a_step(
    make_kiosk: KioskFactory, finger: Finger, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(size=size)
    finger.tap(kiosk.flow.welcome.cta)
    expected = {
        (800, 480): ReasonPlace.STEP,
        (1920, 1080): ReasonPlace.SIDE,
        (1080, 1920): ReasonPlace.BELOW,
    }
    assert kiosk.flow.rate.place() is expected[size]


def test_submit_before_every_row_is_rated_points_at_the_missing_row(
    kiosk: Kiosk, finger: Finger
) -> None:
    flow, rate = kiosk.flow, kiosk.flow.rate
    finger.tap(flow.welcome.cta)
    for code in DIMENSION_CODES[:-1]:
        finger.star(kiosk, code, 4)
    assert rate.submit_button.property("ready") is False
    finger.tap(rate.submit_button)
    assert flow.current() is Screen.RATE
    assert rate.message_text() == "请为“综合满意度”评分：点一颗星"
    assert rate.title.text() == rate.message_text()
    assert rate.stars["overall"].is_missing()
    assert rate.stars["overall"].hasFocus()
    finger.star(kiosk, "overall", 3)
    assert not rate.stars["overall"].is_missing()
    assert rate.message_text() == ""
    assert rate.submit_button.property("ready") is True


@pytest.mark.parametrize("size", [(800, 480), (1280, 800), (1920, 1080)])
def test_large_text_is_at_least_one_and_a_half_times_larger(
    make_kiosk: KioskFactory, finger: Finger, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(size=size)
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    widgets = [flow.rate.title, flow.rate.names["overall"], flow.rate.submit_button]
    normal = [w.font().pixelSize() for w in widgets] + [flow.welcome.cta.font().pixelSize()]
    finger.tap(flow.rate.cancel_button)
    finger.tap(flow.welcome.large_text)
    finger.tap(flow.welcome.cta)
    large = [w.font().pixelSize() for w in widgets] + [flow.welcome.cta.font().pixelSize()]
    assert all(b >= 1.5 * a for a, b in zip(normal, large, strict=True)), (normal, large)
