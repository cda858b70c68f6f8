"""Prints receipts on a worker thread, one at a time: submitting never waits for a printer.

A printer that hangs holds only its own job; past `max_waiting` queued jobs a new receipt
is reported as not printed at once rather than queued behind it. Plain Python, no Qt: the
kiosk's UI wraps it to get the outcome back on the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from kiosk.receipt.printer import Printer, PrinterError, PrintProblem, Receipt

log = logging.getLogger(__name__)

#: Called on the worker thread with the job id and None (printed) or the problem.
Done = Callable[[str, PrintProblem | None], None]


class Spooler:
    def __init__(self, printer: Printer, done: Done, *, max_waiting: int = 2) -> None:
        self.printer = printer
        self._done = done
        self._jobs: queue.Queue[tuple[str, Receipt] | None] = queue.Queue(max_waiting)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: str, receipt: Receipt) -> bool:
        """Queue a receipt; False (and `done` called with "busy") when the queue is full."""
        self._start()
        try:
            self._jobs.put_nowait((job_id, receipt))
        except queue.Full:
            log.warning("receipt %s not printed: the printer is still busy", job_id)
            self._done(job_id, "busy")
            return False
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="receipt-spooler", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job_id, receipt = job
            problem: PrintProblem | None = None
            try:
                self.printer.print_receipt(receipt)
            except PrinterError as exc:
                log.warning("receipt %s not printed: %s", job_id, exc)
                problem = exc.problem
            else:
                log.info("receipt %s printed", job_id)
            self._done(job_id, problem)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop after the job in hand; a hung printer is left behind (the thread is a
        daemon), never waited for longer than `timeout_s`."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        try:
            self._jobs.put(None, timeout=timeout_s)
        except queue.Full:
            return
        thread.join(timeout_s)
