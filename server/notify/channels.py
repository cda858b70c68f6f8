"""Sending one message to one channel URL.

Channels are apprise URLs (`mailto://`, `json://`, `wecombot://`, `dingtalk://`,
`feishu://`, ...). apprise's chat-robot plugins post to the vendors' own hosts; halls on a
government network reach them through an intranet relay, so three more schemes post the
vendors' exact JSON bodies to any URL: `wecomrelay://`, `dingtalkrelay://`,
`feishurelay://` (and `...s://` for HTTPS), registered as apprise custom plugins. `sms://`
numbers go to the SMS driver the settings choose (server/notify/sms.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import apprise
import requests
from apprise.decorators import notify

from server.notify.sms import HttpJsonSms, LoggingSms, SmsDriver, SmsError
from server.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    #: Why not, in words for an administrator (never the URL: it may hold a key).
    error: str = ""


def _text_body(vendor: str, title: str, body: str) -> dict[str, Any]:
    text = f"{title}\n{body}" if title else body
    if vendor == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"msgtype": "text", "text": {"content": text}}


def _relay(vendor: str) -> Callable[..., bool]:
    def send(body: str, title: str, notify_type: str, meta: dict[str, Any], **_: Any) -> bool:
        scheme = "https" if meta["schema"].endswith("relays") else "http"
        port = f":{meta['port']}" if meta.get("port") else ""
        query = f"?{urlencode(meta['qsd'])}" if meta.get("qsd") else ""
        url = f"{scheme}://{meta['host']}{port}{meta.get('fullpath') or '/'}{query}"
        try:
            response = requests.post(url, json=_text_body(vendor, title, body), timeout=10)
        except requests.RequestException as exc:
            log.warning("%s relay unreachable: %s", vendor, type(exc).__name__)
            return False
        if not 200 <= response.status_code < 300:
            log.warning("%s relay answered %d", vendor, response.status_code)
            return False
        try:
            answer = response.json()
        except ValueError:
            return True
        # The robots answer 200 with an error code in the body when they refuse.
        code = answer.get("errcode", answer.get("code", 0)) if isinstance(answer, dict) else 0
        if code:
            log.warning("%s relay refused the message: code %s", vendor, code)
            return False
        return True

    return send


for _vendor in ("wecom", "dingtalk", "feishu"):
    for _suffix in ("relay", "relays"):
        notify(on=f"{_vendor}{_suffix}", name=f"{_vendor} robot through a relay")(  # type: ignore[no-untyped-call]
            _relay(_vendor)
        )


def sms_driver(settings: Settings) -> SmsDriver:
    if settings.sms_driver == "http":
        assert settings.sms_http_url is not None  # the settings refuse http without a URL
        return HttpJsonSms(settings.sms_http_url, settings.sms_http_token)
    return LoggingSms()


def is_channel_url(url: str) -> bool:
    """Whether `url` names a channel this server can send to (apprise's, the relays',
    sms://)."""
    if url.startswith("sms://"):
        return any(n for n in url.removeprefix("sms://").replace("/", ",").split(","))
    return bool(apprise.Apprise().add(url))


def send_message(url: str, title: str, body: str, settings: Settings) -> Outcome:
    """Send one message to one channel URL; whether it was delivered."""
    if url.startswith("sms://"):
        numbers = [n for n in url.removeprefix("sms://").replace("/", ",").split(",") if n]
        if not numbers:
            return Outcome(False, "an sms:// channel needs at least one number")
        try:
            sms_driver(settings).send(numbers, f"{title}\n{body}")
        except SmsError as exc:
            return Outcome(False, str(exc))
        return Outcome(True)
    sender = apprise.Apprise()
    if not sender.add(url):
        return Outcome(False, "not a channel URL apprise knows (check the scheme and its fields)")
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = sender.notify(body=body, title=title)
    if ok:
        return Outcome(True)
    lines = [line for line in captured.getvalue().splitlines() if line.strip()]
    return Outcome(False, (lines[-1] if lines else "the channel did not accept the message")[:500])
