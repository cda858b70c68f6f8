"""The receipt printer a kiosk configuration asks for."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import PrinterConfig
from kiosk.receipt.printer import Printer


def printer_for(config: PrinterConfig) -> Printer | None:
    """The configured printer, or None when the kiosk prints no receipts."""
    if config.kind == "none":
        return None
    if config.kind in ("system", "pdf"):
        from kiosk.receipt.qtprint import QtPrinter

        return QtPrinter(
            width_mm=config.width_mm,
            printer_name=config.name,
            pdf_dir=Path(config.pdf_dir) if config.kind == "pdf" else None,
        )
    from kiosk.receipt.thermal import EscPosPrinter, connect

    options: dict[str, dict[str, object]] = {
        "usb": {"vendor": config.vendor, "product": config.product},
        "serial": {"device": config.device, "baudrate": config.baudrate},
        "network": {"host": config.host, "port": config.port},
    }
    return EscPosPrinter(
        connect(config.connection, **options[config.connection]),
        width_mm=config.width_mm,
        native_qr=config.native_qr,
        check_paper=config.check_paper,
    )
