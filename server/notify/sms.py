"""SMS drivers: provinces use different gateways, so a small interface, a driver that only
logs (development, or a hall without a gateway) and one real HTTP shape."""

from __future__ import annotations

import logging
from typing import Protocol

import requests

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not take the message; the text says why (never the number)."""


class SmsDriver(Protocol):
    def send(self, numbers: list[str], text: str) -> None: ...


class LoggingSms:
    """Sends nothing: logs that a message of so many characters would go to so many
    numbers (no number, no text)."""

    def send(self, numbers: list[str], text: str) -> None:
        log.info("sms (logging driver): %d characters to %d numbers", len(text), len(numbers))


class HttpJsonSms:
    """POSTs {"to": [numbers], "text": text} as JSON to the gateway's URL, with an optional
    bearer token; any 2xx answer is success."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout_s = timeout_s

    def send(self, numbers: list[str], text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(
                self.url,
                json={"to": numbers, "text": text},
                headers=headers,
                timeout=self.timeout_s,
            )
        except requests.RequestException as exc:
            raise SmsError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise SmsError(f"SMS gateway answered {response.status_code}")
