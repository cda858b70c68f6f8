"""Receipt printing for the UI: the plain-Python spooler, with its outcome delivered back
on the GUI thread as a signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.receipt.printer import Printer, PrintProblem, Receipt
from kiosk.receipt.spooler import Spooler


class PrintQueue(QObject):
    #: A job ended: its id, and "" when printed or the problem ("missing", "paper", ...).
    finished = Signal(str, str)

    def __init__(self, printer: Printer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The spooler calls back on its worker thread; emitting there queues the signal to
        # receivers on the GUI thread.
        self._spooler = Spooler(printer, self._done)
        self._closed = False

    def _done(self, job_id: str, problem: PrintProblem | None) -> None:
        if self._closed:
            return  # a printer that answered after the kiosk closed: nobody to tell
        self.finished.emit(job_id, problem or "")

    def submit(self, job_id: str, receipt: Receipt) -> None:
        self._spooler.submit(job_id, receipt)

    def close(self) -> None:
        self._closed = True
        self._spooler.close()
