"""A client of the kiosk's queue API (kiosk.queueapi), for `hallrate-counter` and tests.

Plain Python and requests. Every failure becomes a `CounterError` with the kiosk's own
message (or what went wrong on the way), never a traceback for the staff member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

#: What the staff member may choose when a service ends (sync.protocol.Outcome values).
OUTCOMES = ("one_visit", "another_visit", "referred")


class CounterError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class CounterClient:
    """Talks to one kiosk: `base_url` like http://192.168.1.20:8765, its key."""

    base_url: str
    key: str
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        self._http = requests.Session()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.base_url.rstrip("/") + "/api/v1" + path
        try:
            answer = self._http.request(
                method,
                url,
                json=body,
                headers={"Authorization": f"Bearer {self.key}"},
                timeout=self.timeout_s,
            )
        except requests.RequestException as exc:
            raise CounterError(
                "unreachable",
                f"the kiosk at {self.base_url} does not answer ({type(exc).__name__})",
            ) from None
        try:
            data = answer.json()
        except ValueError:
            raise CounterError(
                "bad_answer", f"the kiosk answered HTTP {answer.status_code} without JSON"
            ) from None
        if answer.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise CounterError(
                str(error.get("code", "error")),
                str(error.get("message", f"HTTP {answer.status_code}")),
            )
        return data

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/status")
        return result

    def sign_in(self, staff: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/duty", {"staff": staff})["staff_on_duty"]
        return result

    def sign_out(self) -> None:
        self._call("DELETE", "/duty")

    def start(self, ticket: str | None = None, matter: str | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("ticket", ticket), ("matter_code", matter)) if v}
        result: dict[str, Any] = self._call("POST", "/sessions", body)["session"]
        return result

    def finish(self, outcome: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/sessions/current/finish", {"outcome": outcome}
        )["session"]
        return result

    def cancel(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/sessions/current/cancel")["session"]
        return result

    def please_rate(self, outcome: str = "one_visit", ticket: str | None = None) -> dict[str, Any]:
        """请评价: finish the service under way with `outcome` and invite the rating; with
        none under way (the staff member never pressed Start), start one and finish it."""
        try:
            return self.finish(outcome)
        except CounterError as exc:
            if exc.code != "no_open_session":
                raise
        self.start(ticket=ticket)
        return self.finish(outcome)
