"""Receipts through Qt's print system: any system (CUPS) printer, or a PDF file.

QPainter may paint on a QPrinter outside the GUI thread, so this runs on the spooler's
worker thread. Only QtGui and QtPrintSupport: no widgets.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.qrmatrix import QUIET_ZONE, qr_modules
from kiosk.receipt.printer import PrinterError, Receipt

#: Paper widths of receipt printers, and how long a receipt is on them.
PAGE_MM = {58: (58.0, 80.0), 80: (80.0, 85.0)}
MARGIN_MM = 3.0


class QtPrinter:
    """Prints on the system printer `printer_name` ("" for the default), or writes a PDF
    per receipt into `pdf_dir` when that is given."""

    def __init__(
        self, *, width_mm: int = 80, printer_name: str = "", pdf_dir: Path | None = None
    ) -> None:
        if width_mm not in PAGE_MM:
            raise ValueError("width_mm must be 58 or 80")
        self.width_mm = width_mm
        self.printer_name = printer_name
        self.pdf_dir = pdf_dir
        self.last_pdf: Path | None = None

    def _printer(self, receipt: Receipt) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.pdf_dir is not None:
            self.pdf_dir.mkdir(parents=True, exist_ok=True)
            path = self.pdf_dir / f"receipt-{receipt.code}.pdf"
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(path))
            self.last_pdf = path
        else:
            info = (
                QPrinterInfo.printerInfo(self.printer_name)
                if self.printer_name
                else QPrinterInfo.defaultPrinter()
            )
            if info.isNull():
                raise PrinterError("missing", f"no system printer {self.printer_name!r}")
            printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        width, height = PAGE_MM[self.width_mm]
        size = QPageSize(QSizeF(width, height), QPageSize.Unit.Millimeter, "receipt")
        layout = QPageLayout(
            size,
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
        printer.setPageLayout(layout)
        printer.setFullPage(False)
        printer.setDocName(f"receipt {receipt.code}")
        return printer

    def print_receipt(self, receipt: Receipt) -> None:
        printer = self._printer(receipt)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterError("failed", "the printer could not start the page")
        try:
            paint_receipt(
                painter, printer.pageRect(QPrinter.Unit.DevicePixel), receipt, printer.resolution()
            )
        finally:
            if not painter.end():
                raise PrinterError("failed", "the printer did not finish the page")


def paint_receipt(painter: QPainter, area: QRectF, receipt: Receipt, dpi: int) -> None:
    """Lay the receipt out top to bottom in `area` (device pixels at `dpi`)."""
    mm = dpi / 25.4
    width = area.width()
    x0, y = 0.0, 0.0  # the painter's origin is the printable area's corner
    painter.setPen(QColor("black"))

    def text(line: str, point: float, *, bold: bool = False) -> None:
        nonlocal y
        font = QFont("Noto Sans CJK SC")
        font.setPointSizeF(point)
        font.setBold(bold)
        painter.setFont(font)
        metrics = QFontMetricsF(font, painter.device())
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        box = metrics.boundingRect(QRectF(x0, y, width, 10_000), int(flags), line)
        painter.drawText(QRectF(x0, y, width, box.height()), int(flags), line)
        y += box.height() + 1.2 * mm

    text(receipt.title, 11, bold=True)
    text(receipt.hall, 9)
    text(receipt.counter, 9)
    text(receipt.when, 8)
    if receipt.url:
        modules = qr_modules(receipt.url)
        side_modules = modules.size + 2 * QUIET_ZONE
        # About 0.75 mm a module: comfortably above what phone cameras read off paper.
        side = min(width, side_modules * 0.75 * mm)
        module = side / side_modules
        left = x0 + (width - side) / 2
        painter.fillRect(QRectF(left, y, side, side), QColor("white"))
        for row, line in enumerate(modules.rows()):
            for col, dark in enumerate(line):
                if dark:
                    painter.fillRect(
                        QRectF(
                            left + (col + QUIET_ZONE) * module,
                            y + (row + QUIET_ZONE) * module,
                            module,
                            module,
                        ),
                        QColor("black"),
                    )
        y += side + 1.0 * mm
        text(receipt.scan_hint, 8)
    text(f"{receipt.code_label}: {receipt.code}", 9, bold=True)
    if receipt.note:
        text(receipt.note, 9)
    text(receipt.thanks, 9)
    if receipt.hotline:
        text(receipt.hotline, 9, bold=True)
