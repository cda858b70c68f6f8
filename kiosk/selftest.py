"""`hallrate-kiosk --self-test`: prove that an installed kiosk has every part it needs.

Meant for the frozen bundle (CI runs it on every build; an IT person runs it after
installing): a part PyInstaller left out only shows when the kiosk first needs it, which at
a counter may be days later. Each check uses the real thing in a temporary folder and
leaves the kiosk's own store alone:

- store: a new store is created and migrated through every migration, a rating recorded;
- screens: every screen rendered offscreen at every size in both languages
  (`kiosk.ui.screenshots.render_all`), which also loads the translations and stylesheet;
- keyboard: Qt Virtual Keyboard (its QML) comes up for a text field; pinyin is there;
- speech: the text-to-speech plugins load;
- receipt: the kiosk's receipt path (kiosk/receipt): its QR scans off the printed layout,
  a PDF through QPrinter, the ESC/POS bytes through python-escpos;
- sync: with `--server URL --code CODE`, enrolls a throwaway identity and syncs once.

It prints one line per check and exits 0 when all passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QCoreApplication, QLibraryInfo
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter

SELF_TEST_SCORES = {"attitude": 5, "efficiency": 4, "process": 5, "environment": 4, "overall": 5}


class SelfTestFailure(Exception):
    """A check found the kiosk unable to do something it must; the message says what."""


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "ok", "FAIL" or "skip"
    seconds: float
    detail: str


def _check_store(work: Path) -> str:
    from kiosk.store import Store, database

    store = Store.open(work / "store" / "kiosk.sqlite")
    try:
        if store.report.revision != database.SCHEMA_REVISION:
            raise SelfTestFailure(f"store at {store.report.revision}, "
                                  f"expected {database.SCHEMA_REVISION}")
        store.record_rating(counter_id="self-test", scores=SELF_TEST_SCORES)
        status = store.status()
    finally:
        store.close()
    if (status.ratings, status.pending) != (1, 1):
        raise SelfTestFailure(f"a recorded rating did not stay queued: {status}")
    return f"created and migrated to {database.SCHEMA_REVISION}; a rating stored and queued"


def _check_screens(work: Path) -> str:
    from kiosk.config import LANGUAGES
    from kiosk.ui.screenshots import SIZES, render_all

    files = render_all(work / "screens")
    empty = [f for f in files if not f.exists() or f.stat().st_size == 0]
    if not files or empty:
        raise SelfTestFailure(f"{len(empty)} of {len(files)} screens were not written")
    sizes = ", ".join(f"{w}x{h}" for w, h in SIZES)
    return f"{len(files)} screens at {sizes} in {', '.join(LANGUAGES)}"


def _check_keyboard(work: Path) -> str:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    del work
    if os.environ.get("QT_IM_MODULE") != "qtvirtualkeyboard":
        raise SelfTestFailure("QT_IM_MODULE is not qtvirtualkeyboard")
    field = QLineEdit()
    field.resize(800, 480)
    field.show()
    field.activateWindow()
    QTest.qWaitForWindowActive(field)
    field.setFocus()
    method = QGuiApplication.inputMethod()
    method.show()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and method.keyboardRectangle().isEmpty():
        QCoreApplication.processEvents()
    rect = method.keyboardRectangle().toRect()
    method.hide()
    field.close()
    field.deleteLater()
    if rect.isEmpty():
        raise SelfTestFailure(
            "the virtual keyboard did not come up (its QML or libpulse0 is missing; "
            "QML_IMPORT_TRACE=1 shows which)")
    qml = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.QmlImportsPath))
    pinyin = list((qml / "QtQuick" / "VirtualKeyboard" / "Plugins" / "Pinyin").glob("*pinyin*"))
    if not pinyin:
        raise SelfTestFailure(f"the pinyin input plugin is missing under {qml}")
    return f"keyboard {rect.width()}x{rect.height()} shown; pinyin plugin present"


def _check_speech(work: Path) -> str:
    from PySide6.QtTextToSpeech import QTextToSpeech

    del work
    engines = QTextToSpeech.availableEngines()
    if not engines:
        raise SelfTestFailure("no text-to-speech plugin loads (plugins/texttospeech missing)")
    return f"engines: {', '.join(engines)}"


def _check_receipt(work: Path) -> str:
    """The kiosk's own receipt path: its QR scans off the printed layout, QPrinter writes the
    PDF, and python-escpos (with its data files) makes the thermal printer's bytes."""
    import zxingcpp
    from escpos.printer import Dummy
    from PySide6.QtCore import QRectF

    from kiosk.receipt.printer import Receipt
    from kiosk.receipt.qtprint import QtPrinter, paint_receipt
    from kiosk.receipt.thermal import EscPosPrinter

    url = "https://rating.example/r/5E1F7E570000"
    receipt = Receipt(
        hall="政务服务大厅", counter="1号窗口", when=time.strftime("%Y-%m-%d %H:%M"),
        code="5E1F-7E57-0000", url=url, title="服务评价回执", thanks="感谢您的评价！",
        scan_hint="扫码查看评价处理进度", code_label="回执码",
    )
    # The layout on an image at a thermal printer's 203 dpi (58 mm wide): the QR must scan.
    image = QImage(464, 640, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_receipt(painter, QRectF(0, 0, 464, 640), receipt, 203)
    painter.end()
    found = [code.text for code in zxingcpp.read_barcodes(image)]
    if found != [url]:
        raise SelfTestFailure(f"the receipt's QR does not scan back to {url}: {found}")
    printer = QtPrinter(width_mm=80, pdf_dir=work / "receipts")
    printer.print_receipt(receipt)
    pdf = printer.last_pdf.read_bytes() if printer.last_pdf else b""
    if not pdf.startswith(b"%PDF"):
        raise SelfTestFailure("QPrinter did not write the receipt PDF")
    thermal = Dummy()
    EscPosPrinter(lambda: thermal, width_mm=58).print_receipt(receipt)
    if url.encode() not in thermal.output or b"\x1d(k" not in thermal.output:
        raise SelfTestFailure("the ESC/POS receipt lacks its QR command")
    return (f"QR scans; PDF receipt {len(pdf)} bytes; "
            f"ESC/POS receipt {len(thermal.output)} bytes")


def _check_sync(work: Path, server: str, code: str) -> str:
    from kiosk.device import client_factory, enroll_device
    from kiosk.store import Store

    # A throwaway store: the kiosk's own identity and queue are not touched, and nothing
    # is rated, so the hall's scores do not count a self-test.
    store = Store.open(work / "sync" / "kiosk.sqlite")
    try:
        identity = enroll_device(store, server, code)
        client = client_factory(store)
        assert client is not None
        result = client.run_once(force=True)
    finally:
        store.close()
    if result.state != "delivered":
        raise SelfTestFailure(f"sync with {server} failed: {result.state} "
                              f"(status {result.status}, {result.error})")
    return (f"enrolled as {identity['device_id']} for counter {identity['counter']['id']}; "
            f"synced once, answer {result.status}")


def run_self_test(server: str | None, code: str | None, out: TextIO = sys.stdout) -> int:
    """Run every check; print a line for each and a summary. 0 when all passed."""
    from kiosk.app import app_version, make_application

    # The self-test needs no display: it runs over SSH on a kiosk, in CI, and beside a
    # kiosk already showing full screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application(sys.argv[:1])
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    from PySide6 import __version__ as pyside_version

    print(f"hallrate-kiosk self-test: version {app_version()} ({frozen}), PySide6 "
          f"{pyside_version}, platform {QGuiApplication.platformName()}", file=out, flush=True)
    checks: list[tuple[str, Callable[[Path], str] | None, str]] = [
        ("store", _check_store, ""),
        ("screens", _check_screens, ""),
        ("keyboard", _check_keyboard, ""),
        ("speech", _check_speech, ""),
        ("receipt", _check_receipt, ""),
    ]
    if server and code:
        checks.append(("sync", lambda work: _check_sync(work, server, code), ""))
    else:
        checks.append(("sync", None, "skipped: give --server URL --code CODE to sync once"))
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hallrate-selftest-") as tmp:
        for name, check, note in checks:
            work = Path(tmp) / name
            work.mkdir()
            t0 = time.perf_counter()
            if check is None:
                outcome = Outcome(name, "skip", 0.0, note)
            else:
                try:
                    outcome = Outcome(name, "ok", 0.0, check(work))
                except Exception as exc:  # report any failure of a check, then go on
                    detail = f"{type(exc).__name__}: {exc}"
                    if not isinstance(exc, SelfTestFailure):
                        traceback.print_exc(file=sys.stderr)
                    outcome = Outcome(name, "FAIL", 0.0, detail)
            outcome = Outcome(outcome.name, outcome.status, time.perf_counter() - t0,
                              outcome.detail)
            outcomes.append(outcome)
            print(f"  {outcome.status:4}  {name:9} {outcome.seconds:6.2f} s  {outcome.detail}",
                  file=out, flush=True)
    total = time.perf_counter() - started
    failed = [o.name for o in outcomes if o.status == "FAIL"]
    passed = sum(o.status == "ok" for o in outcomes)
    if failed:
        print(f"self-test FAILED: {', '.join(failed)} ({passed} passed) in {total:.1f} s",
              file=out, flush=True)
    else:
        print(f"self-test passed: {passed} checks in {total:.1f} s", file=out, flush=True)
    del app
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hallrate-kiosk --self-test", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--server", help="server address to enroll with and sync once")
    parser.add_argument("--code", help="a one-time enrollment code (hallrate-server enroll-code)")
    args = parser.parse_args(argv)
    if bool(args.server) != bool(args.code):
        parser.error("--server and --code go together")
    return run_self_test(args.server, args.code)
