"""Receipts on ESC/POS thermal printers (python-escpos) over USB, serial or the network,
58 mm or 80 mm wide.

Chinese text is sent in the printers' Chinese mode (FS &) as GB18030, which the thermal
printers sold in China print natively; ASCII goes as plain text. The QR code uses the
printer's own QR command (GS ( k) unless `native_qr` is off, then it goes as an image.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from kiosk.receipt.printer import PrinterError, Receipt

log = logging.getLogger(__name__)

#: Characters a line holds in font A, and QR module size in dots, per paper width.
LINE_CHARS = {58: 32, 80: 48}
QR_MODULE_DOTS = {58: 5, 80: 7}
CHINESE_ON = b"\x1c\x26"
CHINESE_OFF = b"\x1c\x2e"


def connect(kind: str, **options: Any) -> Callable[[], Any]:
    """A function that opens the printer: `usb` (vendor, product), `serial` (device,
    baudrate) or `network` (host, port). Opened per receipt, so a printer switched off and
    on again is found again."""
    from escpos import printer as escpos_printer
    from escpos.exceptions import DeviceNotFoundError

    def open_usb() -> Any:
        return escpos_printer.Usb(int(options["vendor"]), int(options["product"]))

    def open_serial() -> Any:
        return escpos_printer.Serial(
            devfile=str(options["device"]), baudrate=int(options.get("baudrate", 9600))
        )

    def open_network() -> Any:
        return _Network(
            str(options["host"]),
            port=int(options.get("port", 9100)),
            timeout=float(options.get("timeout_s", 5.0)),
        )

    class _Network(escpos_printer.Network):  # type: ignore[misc]
        """python-escpos 3.1 leaves the socket of a failed connect open; this closes it."""

        def open(self, raise_not_found: bool = True) -> None:
            try:
                self.device = socket.create_connection((self.host, self.port), self.timeout)
            except OSError as exc:
                raise DeviceNotFoundError(f"cannot reach {self.host}:{self.port}: {exc}") from exc

    def opened(make: Callable[[], Any]) -> Callable[[], Any]:
        def open_now() -> Any:
            # python-escpos opens on first write; open here so an absent printer is told
            # apart from one that fails mid-receipt.
            device = make()
            device.open()
            return device

        return open_now

    openers = {"usb": open_usb, "serial": open_serial, "network": open_network}
    if kind not in openers:
        raise ValueError(f"unknown ESC/POS connection {kind!r}: usb, serial or network")
    return opened(openers[kind])


class EscPosPrinter:
    def __init__(
        self,
        open_printer: Callable[[], Any],
        *,
        width_mm: int = 80,
        native_qr: bool = True,
        check_paper: bool = False,
    ) -> None:
        if width_mm not in LINE_CHARS:
            raise ValueError("width_mm must be 58 or 80")
        self.open_printer = open_printer
        self.width_mm = width_mm
        self.native_qr = native_qr
        self.check_paper = check_paper

    def print_receipt(self, receipt: Receipt) -> None:
        try:
            device = self.open_printer()
        except Exception as exc:  # the drivers raise their own kinds (usb, serial, socket)
            raise PrinterError("missing", f"{type(exc).__name__}: {exc}") from exc
        try:
            if self.check_paper and device.paper_status() == 0:
                raise PrinterError("paper", "the printer reports no paper")
            self._write(device, receipt)
        except PrinterError:
            raise
        except Exception as exc:  # the drivers raise their own kinds (usb, serial, socket)
            raise PrinterError("failed", f"{type(exc).__name__}: {exc}") from exc
        finally:
            try:
                device.close()
            except Exception as exc:  # closing a printer that failed may fail too
                log.debug("closing the receipt printer failed: %s", type(exc).__name__)

    def _write(self, device: Any, receipt: Receipt) -> None:
        device.hw("INIT")
        device.set(align="center", bold=True, double_height=True)
        self._line(device, receipt.title)
        device.set(align="center", bold=False, normal_textsize=True)
        for line in (receipt.hall, receipt.counter, receipt.when):
            self._line(device, line)
        if receipt.url:
            device.qr(
                receipt.url,
                size=QR_MODULE_DOTS[self.width_mm],
                native=self.native_qr,
                center=not self.native_qr,
            )
            self._line(device, receipt.scan_hint)
        device.set(align="center", bold=True)
        self._line(device, f"{receipt.code_label}: {receipt.code}")
        device.set(align="center", bold=False)
        if receipt.note:
            self._line(device, receipt.note)
        self._line(device, receipt.thanks)
        if receipt.hotline:
            device.set(align="center", bold=True)
            self._line(device, receipt.hotline)
        device.cut()

    @staticmethod
    def _line(device: Any, text: str) -> None:
        if text.isascii():
            device.text(text + "\n")
        else:
            device._raw(CHINESE_ON + text.encode("gb18030", "replace") + b"\n" + CHINESE_OFF)
