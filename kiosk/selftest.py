"""`hallrate-kiosk --self-test`: prove that an installed kiosk has every part it needs.

Meant for the frozen bundle (CI runs it on every build; an IT person runs it after
installing): a part PyInstaller left out only shows when the kiosk first needs it, which at
a counter may be days later. Each check uses the real thing in a temporary folder and
leaves the kiosk's own store alone:

- store: a new store is created and migrated through every migration, a rating recorded;
- screens: every screen rendered offscreen at every size in both languages
  (`kiosk.screenshots.render_all`), which also loads the translations and stylesheet;
- keyboard: Qt Virtual Keyboard (its QML) comes up for a text field; pinyin is there;
- speech: the text-to-speech plugins load;
- receipt: a QR code (zxing-cpp) and a PDF receipt printed through QPrinter (kiosk/receipt);
- thermal: the same receipt as ESC/POS bytes for a thermal printer (python-escpos);
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

from PySide6.QtCore import QLibraryInfo
from PySide6.QtGui import QGuiApplication

from kiosk.receipt.printer import Receipt

SELF_TEST_SCORES = {"attitude": 5, "efficiency": 4, "process": 5, "environment": 4, "overall": 5}


class SelfTestFailure(Exception):
    """A check found the kiosk unable to do something it must; the message says what."""


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "ok", "FAIL" or "skip"
    seconds: float
    detail: str


SELF_TEST_RECEIPT_URL = "https://rating.example/r/SELF-TEST-0000"


def self_test_receipt() -> Receipt:
    """A receipt like the thanks screen prints, with a QR code to the receipt page."""
    return Receipt(
        hall="政务服务大厅",
        counter="1号窗口 综合受理",
        when=time.strftime("%Y-%m-%d %H:%M"),
        code="SELF-TEST-0000",
        url=SELF_TEST_RECEIPT_URL,
        title="评价回执 Rating receipt",
        thanks="感谢您的评价",
        scan_hint="扫码查看处理进度",
        code_label="回执码",
    )


def write_receipt_pdf(receipt: Receipt, folder: Path) -> Path:
    """Print `receipt` as a PDF into `folder` through QPrinter, the way a kiosk configured
    with `[printer] kind = "pdf"` does; the file written."""
    from kiosk.receipt.qtprint import QtPrinter

    printer = QtPrinter(width_mm=80, pdf_dir=folder)
    printer.print_receipt(receipt)
    if printer.last_pdf is None:
        raise SelfTestFailure("QtPrinter wrote no PDF")
    return printer.last_pdf


def _check_store(work: Path) -> str:
    from kiosk.store import Store, database

    store = Store.open(work / "store" / "kiosk.sqlite")
    try:
        if store.report.revision != database.SCHEMA_REVISION:
            raise SelfTestFailure(
                f"store at {store.report.revision}, expected {database.SCHEMA_REVISION}"
            )
        store.record_rating(counter_id="self-test", scores=SELF_TEST_SCORES)
        status = store.status()
    finally:
        store.close()
    if (status.ratings, status.pending) != (1, 1):
        raise SelfTestFailure(f"a recorded rating did not stay queued: {status}")
    return f"created and migrated to {database.SCHEMA_REVISION}; a rating stored and queued"


def _check_screens(work: Path) -> str:
    from kiosk.config import LANGUAGES
    from kiosk.screenshots import SIZES, render_all

    files = render_all(work / "screens")
    empty = [f for f in files if not f.exists() or f.stat().st_size == 0]
    if not files or empty:
        raise SelfTestFailure(f"{len(empty)} of {len(files)} screens were not written")
    sizes = ", ".join(f"{w}x{h}" for w, h in SIZES)
    return f"{len(files)} screens at {sizes} in {', '.join(LANGUAGES)}"


def _check_keyboard(work: Path) -> str:
    from kiosk.ui.keyboard_probe import keyboard_rectangle

    del work
    if os.environ.get("QT_IM_MODULE") != "qtvirtualkeyboard":
        raise SelfTestFailure("QT_IM_MODULE is not qtvirtualkeyboard")
    rect = keyboard_rectangle()
    if rect.isEmpty():
        raise SelfTestFailure(
            "the virtual keyboard did not come up (its QML or libpulse0 is missing; "
            "QML_IMPORT_TRACE=1 shows which)"
        )
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
    from kiosk.qrmatrix import qr_modules

    modules = qr_modules(SELF_TEST_RECEIPT_URL)
    if modules.size < 21 or 0 not in modules.gray:
        raise SelfTestFailure("the QR code is empty")
    path = write_receipt_pdf(self_test_receipt(), work)
    data = path.read_bytes() if path.exists() else b""
    if not data.startswith(b"%PDF") or len(data) < 1000:
        raise SelfTestFailure(f"{path} is not a PDF receipt")
    return f"QR {modules.size}x{modules.size} modules; PDF receipt {len(data)} bytes"


def _check_thermal(work: Path) -> str:
    from escpos.printer import Dummy

    from kiosk.receipt.thermal import EscPosPrinter

    del work
    device = Dummy()
    EscPosPrinter(lambda: device, width_mm=80).print_receipt(self_test_receipt())
    data = device.output
    if b"\x1d(k" not in data or "感谢".encode("gb18030") not in data:
        raise SelfTestFailure("the ESC/POS receipt lacks its QR command or its Chinese text")
    return f"ESC/POS receipt {len(data)} bytes (QR command, GB18030 text)"


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
        raise SelfTestFailure(
            f"sync with {server} failed: {result.state} (status {result.status}, {result.error})"
        )
    return (
        f"enrolled as {identity['device_id']} for counter {identity['counter']['id']}; "
        f"synced once, answer {result.status}"
    )


def run_self_test(server: str | None, code: str | None, out: TextIO = sys.stdout) -> int:
    """Run every check; print a line for each and a summary. 0 when all passed."""
    from kiosk.device import app_version
    from kiosk.ui.application import make_application

    # The self-test needs no display: it runs over SSH on a kiosk, in CI, and beside a
    # kiosk already showing full screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application(sys.argv[:1])
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    from PySide6 import __version__ as pyside_version

    print(
        f"hallrate-kiosk self-test: version {app_version()} ({frozen}), PySide6 "
        f"{pyside_version}, platform {QGuiApplication.platformName()}",
        file=out,
        flush=True,
    )
    checks: list[tuple[str, Callable[[Path], str] | None, str]] = [
        ("store", _check_store, ""),
        ("screens", _check_screens, ""),
        ("keyboard", _check_keyboard, ""),
        ("speech", _check_speech, ""),
        ("receipt", _check_receipt, ""),
        ("thermal", _check_thermal, ""),
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
            outcome = Outcome(
                outcome.name, outcome.status, time.perf_counter() - t0, outcome.detail
            )
            outcomes.append(outcome)
            print(
                f"  {outcome.status:4}  {name:9} {outcome.seconds:6.2f} s  {outcome.detail}",
                file=out,
                flush=True,
            )
    total = time.perf_counter() - started
    failed = [o.name for o in outcomes if o.status == "FAIL"]
    passed = sum(o.status == "ok" for o in outcomes)
    if failed:
        print(
            f"self-test FAILED: {', '.join(failed)} ({passed} passed) in {total:.1f} s",
            file=out,
            flush=True,
        )
    else:
        print(f"self-test passed: {passed} checks in {total:.1f} s", file=out, flush=True)
    del app
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="hallrate-kiosk --self-test",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--server", help="server address to enroll with and sync once")
    parser.add_argument("--code", help="a one-time enrollment code (hallrate-server enroll-code)")
    args = parser.parse_args(argv)
    if bool(args.server) != bool(args.code):
        parser.error("--server and --code go together")
    return run_self_test(args.server, args.code)
