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
- qr, receipt: a QR code (qrcode) and a PDF receipt printed through QPrinter;
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

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QMarginsF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

SELF_TEST_SCORES = {"attitude": 5, "efficiency": 4, "process": 5, "environment": 4, "overall": 5}


class SelfTestFailure(Exception):
    """A check found the kiosk unable to do something it must; the message says what."""


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "ok", "FAIL" or "skip"
    seconds: float
    detail: str


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt shows: enough for a citizen to follow their rating."""

    hall: str
    counter: str
    rating_id: str
    created_at: str
    score: str
    follow_url: str


def make_qr(text: str, scale: int = 8) -> QImage:
    """`text` as a QR code image (error correction M, a 4-module quiet zone)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    image = QImage(size * scale, size * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * scale, y * scale, scale, scale, QColor("black"))
    painter.end()
    return image


def write_receipt_pdf(receipt: Receipt, path: Path) -> None:
    """Print `receipt` to a PDF file through QPrinter, as the receipt printer path does.

    The one place the self-test makes a receipt: point it at kiosk/receipt/ once that exists.
    """
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    # 80 mm roll paper, the width of a hall's thermal receipt printer.
    printer.setPageSize(QPageSize(QSizeF(80, 160), QPageSize.Unit.Millimeter, "receipt"))
    printer.setPageMargins(QMarginsF(5, 5, 5, 5), QPageLayout.Unit.Millimeter)
    painter = QPainter()
    if not painter.begin(printer):
        raise SelfTestFailure(f"QPrinter cannot write {path}")
    try:
        page = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
        line = page.height() // 20
        font = QFont()
        font.setPixelSize(line * 2 // 3)
        painter.setFont(font)
        lines = (receipt.hall, receipt.counter, f"评价 / rating {receipt.rating_id}",
                 receipt.created_at, f"得分 / score {receipt.score}")
        for i, text in enumerate(lines):
            painter.drawText(QRect(0, i * line, page.width(), line),
                             int(Qt.AlignmentFlag.AlignLeft), text)
        qr = make_qr(receipt.follow_url)
        side = min(page.width(), page.height() - len(lines) * line) * 3 // 4
        painter.drawImage(QRect(0, (len(lines) + 1) * line, side, side), qr)
    finally:
        painter.end()


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
    url = "https://rating.example/r/0190-self-test"
    qr = make_qr(url)
    if qr.isNull() or qr.width() < 21 * 8:
        raise SelfTestFailure("the QR code image is empty")
    path = work / "receipt.pdf"
    write_receipt_pdf(
        Receipt(hall="政务服务大厅", counter="1号窗口", rating_id="self-test",
                created_at=time.strftime("%Y-%m-%d %H:%M"), score="4.60", follow_url=url),
        path,
    )
    data = path.read_bytes() if path.exists() else b""
    if not data.startswith(b"%PDF") or b"/Image" not in data:
        raise SelfTestFailure(f"{path} is not a PDF with the QR image in it")
    return f"QR {qr.width() // 8} modules; PDF receipt {len(data)} bytes"


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
