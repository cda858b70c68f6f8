"""After a low score the citizen is told what happens next, on screen and on paper; the
kiosk asks for nothing personal (the call-back number is left on the citizen's own phone,
on the receipt page, with the consent text there). The receipt carries the hall's hotline."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.receipt.qtprint import QtPrinter
from kiosk.ui.flow import Screen
from sync.client import SERVER_CONFIG
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.kiosk.kiosk_drive import Finger
from tests.receipts.conftest import PrinterKiosk, hold_server_config
from tests.receipts.qr_decode import decode, render_pdf

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

LOW = {"attitude": 1, "efficiency": 2, "process": 2, "environment": 3, "overall": 1}
HIGH = {"attitude": 5, "efficiency": 4, "process": 4, "environment": 5, "overall": 4}


def rate(kiosk: Kiosk, finger: Finger, qtbot: QtBot, scores: dict[str, int]) -> None:
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, scores)
    with qtbot.waitSignal(flow.ratingStored):
        finger.tap(flow.rate.submit_button)
        if flow.rate.on_reasons_step():  # 800x480: "Next", then Submit
            finger.tap(flow.rate.submit_button)
    assert flow.current() is Screen.THANKS


def test_a_low_score_is_told_the_deadline_the_qr_and_the_optional_call_back(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk(None)
    hold_server_config(kiosk.store)
    rate(kiosk, finger, qtbot, LOW)
    follow_up = kiosk.flow.thanks.follow_up
    assert follow_up.isVisible()
    assert follow_up.text() == (
        "很抱歉没能让您满意。大厅将在 24 小时内核实处理并答复。"
        "扫描下方二维码可查看处理进度；如希望我们回电，可在该页面留下手机号码（自愿）。"
    )
    assert kiosk.flow.thanks.receipt_qr.isVisible()
    # Nothing is asked on the kiosk: no field to type a number into.
    assert [f for f in kiosk.flow.thanks.findChildren(QLineEdit) if f.isVisible()] == []


def test_the_deadline_is_the_one_the_server_sent(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk(None)
    hold_server_config(kiosk.store)
    block = dict(kiosk.store.get_setting(SERVER_CONFIG))
    block["scoring"] = {**kiosk.store.config.to_mapping(), "alert_deadline_hours": 12}
    kiosk.store.set_setting(SERVER_CONFIG, block)
    rate(kiosk, finger, qtbot, LOW)
    assert "大厅将在 12 小时内" in kiosk.flow.thanks.follow_up.text()


def test_without_the_servers_address_a_low_score_is_told_to_keep_the_code(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk(None)
    rate(kiosk, finger, qtbot, LOW)
    text = kiosk.flow.thanks.follow_up.text()
    assert text.endswith("请记下下方回执码，用于查询处理进度。")
    assert "回电" not in text  # no call-back offer without a page to leave it on


def test_a_good_score_gets_no_follow_up_note(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk(None)
    hold_server_config(kiosk.store)
    rate(kiosk, finger, qtbot, HIGH)
    assert not kiosk.flow.thanks.follow_up.isVisible()


def test_the_printed_receipt_of_a_low_score_carries_the_note_and_the_hotline(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot, tmp_path: Path
) -> None:
    printer = QtPrinter(width_mm=80, pdf_dir=tmp_path / "receipts")
    kiosk = printer_kiosk(printer, hotline="12345")
    hold_server_config(kiosk.store)
    rate(kiosk, finger, qtbot, LOW)
    thanks = kiosk.flow.thanks
    qtbot.waitUntil(lambda: thanks.print_state() == "printed", timeout=10_000)
    assert printer.last_pdf is not None
    text = subprocess.run(
        ["pdftotext", "-layout", str(printer.last_pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # pdftotext gives some characters as their compatibility forms (⼤ for 大).
    flat = unicodedata.normalize("NFKC", "".join(text.split()))
    assert "服务热线:12345" in flat  # (NFKC makes the full-width colon plain)
    assert "我们将在24小时内核实处理并答复。" in flat
    [page] = render_pdf(printer.last_pdf)
    assert len(decode(page)) == 1  # the QR still scans with the extra lines
