"""Printed receipts: a PDF through Qt's print system and the bytes an ESC/POS printer gets,
both read back (the QR decoded from pixels, the text found) as a citizen's phone would."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from escpos.printer import Dummy
from PIL import Image
from PySide6.QtWidgets import QApplication

from kiosk.config import ConfigError, KioskConfig, PrinterConfig, load_config
from kiosk.receipt.choose import printer_for
from kiosk.receipt.printer import PrinterError, Receipt
from kiosk.receipt.qtprint import QtPrinter
from kiosk.receipt.spooler import Spooler
from kiosk.receipt.thermal import CHINESE_OFF, CHINESE_ON, EscPosPrinter, connect
from tests.receipts.qr_decode import decode, keep, render_pdf

URL = "http://192.168.10.5:8000/r/7K3M9QXW2B4T"


def receipt(url: str | None = URL, *, english: bool = False) -> Receipt:
    if english:
        return Receipt(
            hall="Demo Service Hall",
            counter="Counter 1",
            when="2026-12-02 15:30",
            code="7K3M-9QXW-2B4T",
            url=url,
            title="Service rating receipt",
            thanks="Thank you for your rating!",
            scan_hint="Scan to follow what happens to your rating",
            code_label="Receipt code",
        )
    return Receipt(
        hall="示范政务服务大厅",
        counter="1号窗口 综合受理",
        when="2026-12-02 15:30",
        code="7K3M-9QXW-2B4T",
        url=url,
        title="服务评价回执",
        thanks="感谢您的评价！",
        scan_hint="扫码查看评价处理进度",
        code_label="回执码",
    )


@pytest.mark.parametrize("width_mm", [58, 80])
@pytest.mark.parametrize("english", [False, True])
def test_pdf_receipt_carries_a_qr_a_phone_reads_back_to_the_receipt_page(
    qapp: QApplication, tmp_path: Path, width_mm: int, english: bool
) -> None:
    printer = QtPrinter(width_mm=width_mm, pdf_dir=tmp_path)
    printer.print_receipt(receipt(english=english))
    assert printer.last_pdf is not None
    assert printer.last_pdf.exists()
    [page] = render_pdf(printer.last_pdf)
    keep(page, f"receipt-pdf-{width_mm}mm-{'en' if english else 'zh_CN'}.png")
    # The page is as wide as the paper (203 dpi: 8 dots a millimetre).
    assert abs(page.width - width_mm * 203 / 25.4) < 3
    assert decode(page) == [URL]


def test_pdf_receipt_without_a_known_address_prints_the_code_and_no_qr(
    qapp: QApplication, tmp_path: Path
) -> None:
    printer = QtPrinter(width_mm=58, pdf_dir=tmp_path)
    printer.print_receipt(receipt(url=None))
    assert printer.last_pdf is not None
    [page] = render_pdf(printer.last_pdf)
    assert decode(page) == []
    text = printer.last_pdf.read_bytes()
    assert text.startswith(b"%PDF")


def test_a_system_printer_that_does_not_exist_is_reported_missing(qapp: QApplication) -> None:
    printer = QtPrinter(printer_name="no-such-receipt-printer")
    with pytest.raises(PrinterError) as raised:
        printer.print_receipt(receipt())
    assert raised.value.problem == "missing"


def _gs_k_store(data: bytes) -> list[bytes]:
    """The payloads of the QR "store data" commands (GS ( k pL pH 49 80 48 d...)."""
    found = []
    for match in re.finditer(rb"\x1d\(k(..)\x31\x50\x30", data, re.DOTALL):
        length = match.group(1)[0] + 256 * match.group(1)[1] - 3
        start = match.end()
        found.append(data[start : start + length])
    return found


def _chinese_runs(data: bytes) -> list[str]:
    pattern = re.escape(CHINESE_ON) + b"(.*?)" + re.escape(CHINESE_OFF)
    return [m.group(1).decode("gb18030") for m in re.finditer(pattern, data, re.DOTALL)]


def _raster_images(data: bytes) -> list[Image.Image]:
    """Images sent as GS v 0 rasters (the QR when the printer has no QR command)."""
    images = []
    for match in re.finditer(rb"\x1dv0\x00(..)(..)", data, re.DOTALL):
        width_bytes = match.group(1)[0] + 256 * match.group(1)[1]
        height = match.group(2)[0] + 256 * match.group(2)[1]
        raw = data[match.end() : match.end() + width_bytes * height]
        image = Image.frombytes("1", (width_bytes * 8, height), raw)
        # ESC/POS dots are 1 for black; PIL's mode "1" has 1 for white.
        images.append(Image.eval(image.convert("L"), lambda v: 255 - v))
    return images


@pytest.mark.parametrize(("width_mm", "module_dots"), [(58, 5), (80, 7)])
def test_escpos_receipt_sends_the_qr_command_and_chinese_text(
    width_mm: int, module_dots: int
) -> None:
    dummy = Dummy()
    EscPosPrinter(lambda: dummy, width_mm=width_mm).print_receipt(receipt())
    data = dummy.output
    assert _gs_k_store(data) == [URL.encode()]
    assert b"\x1d(k\x03\x001C" + bytes([module_dots]) in data  # module size
    texts = _chinese_runs(data)
    assert "示范政务服务大厅\n" in texts
    assert "1号窗口 综合受理\n" in texts
    assert "回执码: 7K3M-9QXW-2B4T\n" in texts
    assert "感谢您的评价！\n" in texts
    assert b"2026-12-02 15:30\n" in data  # ASCII goes as plain text
    assert b"\x1dV" in data  # and the paper is cut


def test_escpos_receipt_as_an_image_qr_still_scans() -> None:
    dummy = Dummy()
    EscPosPrinter(lambda: dummy, width_mm=80, native_qr=False).print_receipt(receipt(english=True))
    data = dummy.output
    assert _gs_k_store(data) == []
    [image] = _raster_images(data)
    keep(image, "receipt-escpos-raster-qr.png")
    assert decode(image.resize((image.width * 2, image.height * 2))) == [URL]
    assert b"Receipt code: 7K3M-9QXW-2B4T\n" in data


class _Unplugged:
    def __call__(self) -> Any:
        raise OSError(19, "No such device")


class _NoPaper(Dummy):  # type: ignore[misc]
    def paper_status(self) -> int:
        return 0


class _Jams(Dummy):  # type: ignore[misc]
    def qr(self, *args: Any, **kwargs: Any) -> None:
        raise OSError(5, "Input/output error")


@pytest.mark.parametrize(
    ("opener", "check_paper", "problem"),
    [
        (_Unplugged(), False, "missing"),
        (_NoPaper, True, "paper"),
        (_Jams, False, "failed"),
    ],
    ids=["unplugged", "out-of-paper", "fails-mid-receipt"],
)
def test_escpos_troubles_are_reported_as_printer_errors(
    opener: Any, check_paper: bool, problem: str
) -> None:
    printer = EscPosPrinter(opener, check_paper=check_paper)
    with pytest.raises(PrinterError) as raised:
        printer.print_receipt(receipt())
    assert raised.value.problem == problem


def test_spooler_reports_a_receipt_it_cannot_queue_behind_a_hung_printer_at_once() -> None:
    release = threading.Event()
    started = threading.Event()
    outcomes: dict[str, str | None] = {}
    done = threading.Event()

    class Hung:
        def print_receipt(self, receipt: Receipt) -> None:
            started.set()
            release.wait(10)

    def finished(job: str, problem: str | None) -> None:
        outcomes[job] = problem
        if len(outcomes) == 4:
            done.set()

    spooler = Spooler(Hung(), finished, max_waiting=2)
    assert spooler.submit("a", receipt())
    assert started.wait(5)
    assert spooler.submit("b", receipt())
    assert spooler.submit("c", receipt())
    assert not spooler.submit("d", receipt())  # the queue is full: reported, not waited
    assert outcomes == {"d": "busy"}
    release.set()
    assert done.wait(10)
    assert outcomes == {"a": None, "b": None, "c": None, "d": "busy"}
    spooler.close()


def test_printer_section_of_the_kiosk_file_picks_the_printer(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nhall_name = "大厅"\n[printer]\nkind = "pdf"\nwidth_mm = 58\n'
        'pdf_dir = "receipts"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    folder = str(tmp_path / "receipts")
    assert config.printer == PrinterConfig(kind="pdf", width_mm=58, pdf_dir=folder)
    printer = printer_for(config.printer)
    assert isinstance(printer, QtPrinter)
    assert printer.pdf_dir == tmp_path / "receipts"
    assert printer_for(KioskConfig().printer) is None
    escpos = printer_for(PrinterConfig(kind="escpos", connection="network", host="10.0.0.9"))
    assert isinstance(escpos, EscPosPrinter)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "laser"}, "printer.kind"),
        ({"kind": "escpos", "width_mm": 76}, "width_mm"),
        ({"kind": "escpos", "connection": "bluetooth"}, "connection"),
        ({"kind": "pdf"}, "pdf_dir"),
        ({"kind": "escpos", "port": "9100"}, "printer.port"),
        ({"kind": "escpos", "colour": True}, "unknown printer settings"),
    ],
)
def test_bad_printer_settings_are_refused_with_the_key_named(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        KioskConfig().with_overrides({"printer": table})


def _listening_printer() -> tuple[socket.socket, list[bytes], threading.Thread]:
    """A network "printer" on loopback that keeps every byte it is sent."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                received.append(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, received, thread


def test_a_network_escpos_printer_receives_the_receipt_over_tcp() -> None:
    server, received, thread = _listening_printer()
    with server:
        port = server.getsockname()[1]
        printer = EscPosPrinter(connect("network", host="127.0.0.1", port=port), width_mm=58)
        printer.print_receipt(receipt())
        thread.join(10)
    data = b"".join(received)
    assert _gs_k_store(data) == [URL.encode()]
    assert "示范政务服务大厅\n" in _chinese_runs(data)


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("serial", {"device": "/dev/ttyHALLRATE-NONE", "baudrate": 9600}),
        ("network", {"host": "127.0.0.1", "port": 9, "timeout_s": 1.0}),
        ("usb", {"vendor": 0x0416, "product": 0x5011}),
    ],
)
def test_an_absent_escpos_printer_is_reported_missing(
    kind: str, options: dict[str, object]
) -> None:
    printer = EscPosPrinter(connect(kind, **options))
    with pytest.raises(PrinterError) as raised:
        printer.print_receipt(receipt())
    assert raised.value.problem == "missing"
