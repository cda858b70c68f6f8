"""The kiosk offers the low-score reasons the server sends in its sync config (admins edit
them on the console's scoring settings) instead of only its built-in ones."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.ui.flow import Screen
from kiosk.ui.screens.rate import ReasonPlace
from sync.client import SERVER_CONFIG
from tests.kiosk.kiosk_drive import Finger

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
