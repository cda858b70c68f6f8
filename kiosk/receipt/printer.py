"""What a receipt says, and the one thing a printer must do with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

PrintProblem = Literal["missing", "paper", "failed", "busy"]


class PrinterError(Exception):
    """The receipt was not printed; `problem` says why in one word the UI translates."""

    def __init__(self, problem: PrintProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Receipt:
    """One printed receipt. Texts come translated into the citizen's language; nothing on
    it names the citizen."""

    hall: str
    counter: str
    #: Local date and time of the rating, as printed.
    when: str
    #: The receipt code, grouped for reading (ABCD-EFGH-JKMN).
    code: str
    #: The receipt page; None when the kiosk does not know the server's public address yet.
    url: str | None
    title: str
    thanks: str
    scan_hint: str
    code_label: str
    #: After a low score: what happens next ("" otherwise).
    note: str = ""
    #: The hall's service hotline line ("" when the hall configured none).
    hotline: str = ""


class Printer(Protocol):
    """Prints one receipt or raises PrinterError. Called off the GUI thread, one at a time."""

    def print_receipt(self, receipt: Receipt) -> None: ...
