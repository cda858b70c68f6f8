"""The QR codes on the kiosk screens, read back from the widgets' pixels with a real decoder,
and receipt printing that never holds up the citizen."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.receipt.printer import PrinterError, Receipt
from kiosk.receipt.qtprint import QtPrinter
from kiosk.ui.flow import Screen
from sync.receipt import CODE_PATTERN, grouped
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.kiosk.kiosk_drive import Finger
from tests.receipts.conftest import PUBLIC_URL, TOKEN, PrinterKiosk, hold_server_config
from tests.receipts.qr_decode import decode, keep, qimage_to_pil, render_pdf

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

SCORES = {"attitude": 5, "efficiency": 4, "process": 4, "environment": 5, "overall": 4}

#: A phone camera reads a QR off a screen comfortably from about 3 px a module at arm's
#: length on these panels; a version-5 code (37 modules + quiet zone) then needs 135 px.
MIN_QR_PX = 135


def rate_and_submit(kiosk: object, finger: Finger, qtbot: QtBot) -> str:
    flow = kiosk.flow  # type: ignore[attr-defined]
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, SCORES)
    with qtbot.waitSignal(flow.ratingStored) as stored:
        finger.tap(flow.rate.submit_button)
    return str(stored.args[0])


def receipt_of(kiosk: object, rating_id: str) -> str:
    store = kiosk.store  # type: ignore[attr-defined]
    for entry in store.pending_outbox(max_items=100, max_bytes=10**9):
        if entry.item_id == rating_id:
            return str(json.loads(entry.payload)["receipt"])
    raise AssertionError(f"rating {rating_id} is not in the outbox")


def test_welcome_shows_a_scannable_phone_rating_qr_while_the_token_is_valid(
    printer_kiosk: PrinterKiosk,
) -> None:
    kiosk = printer_kiosk()
    welcome = kiosk.flow.welcome
    assert not welcome.phone.isVisible()  # a kiosk that never synced has no token
    hold_server_config(kiosk.store)
    kiosk.flow.go_welcome()
    assert welcome.phone.isVisible()
    assert welcome.phone_caption.text() == "扫码评价"
    image = qimage_to_pil(welcome.phone_qr.grab().toImage())
    assert decode(image) == [f"{PUBLIC_URL}/m/{TOKEN}"]
    assert welcome.phone_qr.code_rect().width() >= MIN_QR_PX


@pytest.mark.parametrize(
    ("received_ago_s", "token"),
    [(1000.0, TOKEN), (0.0, None)],
    ids=["expired", "no-token-in-the-answer"],
)
def test_no_phone_rating_qr_without_a_valid_token(
    printer_kiosk: PrinterKiosk, received_ago_s: float, token: str | None
) -> None:
    kiosk = printer_kiosk()
    hold_server_config(kiosk.store, received_ts=time.time() - received_ago_s, token=token)
    kiosk.flow.go_welcome()
    assert not kiosk.flow.welcome.phone.isVisible()


def test_the_phone_rating_qr_disappears_when_its_token_expires(
    printer_kiosk: PrinterKiosk, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk()
    hold_server_config(kiosk.store, valid_s=0.5)
    kiosk.flow.go_welcome()
    assert kiosk.flow.welcome.phone.isVisible()
    qtbot.waitUntil(lambda: not kiosk.flow.welcome.phone.isVisible(), timeout=3000)


def test_thanks_shows_the_receipt_qr_for_the_rating_just_stored(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk()
    hold_server_config(kiosk.store)
    rating_id = rate_and_submit(kiosk, finger, qtbot)
    thanks = kiosk.flow.thanks
    assert kiosk.flow.current() is Screen.THANKS
    code = receipt_of(kiosk, rating_id)
    assert CODE_PATTERN.match(code)
    assert thanks.receipt_code.text() == f"回执码：{grouped(code)}"
    image = qimage_to_pil(thanks.receipt_qr.grab().toImage())
    assert decode(image) == [f"{PUBLIC_URL}/r/{code}"]
    assert thanks.receipt_qr.code_rect().width() >= MIN_QR_PX
    assert not thanks.print_note.isVisible()  # no printer configured, nothing said


def test_two_ratings_get_two_different_receipt_codes(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot, clock: object
) -> None:
    kiosk = printer_kiosk()
    first = receipt_of(kiosk, rate_and_submit(kiosk, finger, qtbot))
    finger.tap(kiosk.flow.thanks)
    clock.advance(60)  # type: ignore[attr-defined]
    second = receipt_of(kiosk, rate_and_submit(kiosk, finger, qtbot))
    assert first != second


def test_without_the_servers_address_thanks_shows_the_code_but_no_qr(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    kiosk = printer_kiosk()
    rating_id = rate_and_submit(kiosk, finger, qtbot)
    thanks = kiosk.flow.thanks
    assert thanks.receipt.isVisible()
    assert not thanks.receipt_qr.isVisible()
    assert grouped(receipt_of(kiosk, rating_id)) in thanks.receipt_code.text()


def test_a_pdf_receipt_is_printed_with_the_same_qr_as_the_screen(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot, tmp_path: Path
) -> None:
    printer = QtPrinter(width_mm=58, pdf_dir=tmp_path / "receipts")
    kiosk = printer_kiosk(printer)
    hold_server_config(kiosk.store)
    rating_id = rate_and_submit(kiosk, finger, qtbot)
    thanks = kiosk.flow.thanks
    qtbot.waitUntil(lambda: thanks.print_state() == "printed", timeout=10_000)
    assert thanks.print_note.text() == "请取走打印的回执。"
    code = receipt_of(kiosk, rating_id)
    assert printer.last_pdf == tmp_path / "receipts" / f"receipt-{grouped(code)}.pdf"
    [page] = render_pdf(printer.last_pdf)
    keep(page, "receipt-from-kiosk-58mm.png")
    assert decode(page) == [f"{PUBLIC_URL}/r/{code}"]


class SlowPrinter:
    """Takes `delay_s` per receipt, as a thermal printer on a slow serial line might."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.printed: list[Receipt] = []
        self._stop = threading.Event()
        #: Set once a job has begun (and taken its delay).
        self.started = threading.Event()

    def print_receipt(self, receipt: Receipt) -> None:
        delay = self.delay_s
        self.started.set()
        self._stop.wait(delay)
        self.printed.append(receipt)


class BrokenPrinter:
    def __init__(self, problem: str) -> None:
        self.problem = problem

    def print_receipt(self, receipt: Receipt) -> None:
        raise PrinterError(self.problem, "test printer")  # type: ignore[arg-type]


def test_a_slow_printer_does_not_delay_the_thanks_screen(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot
) -> None:
    printer = SlowPrinter(2.0)
    kiosk = printer_kiosk(printer)
    hold_server_config(kiosk.store)
    flow = kiosk.flow
    finger.tap(flow.welcome.cta)
    finger.rate_all(kiosk, SCORES)
    started = time.perf_counter()
    finger.tap(flow.rate.submit_button)
    elapsed = time.perf_counter() - started
    assert flow.current() is Screen.THANKS
    assert elapsed < 0.5, f"submit -> thanks took {elapsed:.3f} s with a 2 s printer"
    assert flow.thanks.print_state() == "printing"
    assert flow.thanks.print_note.text() == "正在打印回执…"
    qtbot.waitUntil(lambda: flow.thanks.print_state() == "printed", timeout=5000)
    [printed] = printer.printed
    assert printed.hall == flow.config.hall_name


@pytest.mark.parametrize("problem", ["missing", "paper", "failed"])
def test_a_failing_printer_is_told_on_the_thanks_screen(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot, problem: str
) -> None:
    kiosk = printer_kiosk(BrokenPrinter(problem))
    rate_and_submit(kiosk, finger, qtbot)
    thanks = kiosk.flow.thanks
    qtbot.waitUntil(lambda: thanks.print_state() == "failed", timeout=5000)
    assert thanks.print_note.isVisible()
    assert thanks.print_note.text().startswith("抱歉，回执未能打印")
    assert kiosk.flow.current() is Screen.THANKS


def test_a_receipt_printed_after_its_citizen_left_does_not_touch_the_next_ones_screen(
    printer_kiosk: PrinterKiosk, finger: Finger, qtbot: QtBot, clock: object
) -> None:
    printer = SlowPrinter(1.0)
    kiosk = printer_kiosk(printer)
    first = rate_and_submit(kiosk, finger, qtbot)
    finger.tap(kiosk.flow.thanks)
    clock.advance(60)  # type: ignore[attr-defined]
    # The first citizen's receipt is on the printer (a 1 s job) before the printer slows
    # down for the next one.
    qtbot.waitUntil(printer.started.is_set, timeout=5000)
    printer.delay_s = 30.0
    printing = kiosk.flow.printing
    assert printing is not None
    with qtbot.waitSignal(
        printing.finished, timeout=5000, check_params_cb=lambda job, problem: job == first
    ):
        rate_and_submit(kiosk, finger, qtbot)
    assert kiosk.flow.thanks.print_state() == "printing"  # still the second citizen's
    printer._stop.set()
