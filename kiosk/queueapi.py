"""The kiosk's local HTTP API for the hall's queue system (叫号) and `hallrate-counter`.

It listens on the one address the kiosk is configured with (`queue_api_listen`), answers
only requests carrying the kiosk's key (`Authorization: Bearer <key>`), and speaks JSON
both ways: every error is `{"error": {"code", "message"}}` with a stable code. docs/
queue-api.md is the vendor's reference. Requests run in their own threads and go through
the `ServiceDesk`, which writes the store durably before the answer is sent.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.desk import DeskError, ServiceDesk, session_json
from kiosk.store import StoreError
from sync.protocol import Outcome

log = logging.getLogger(__name__)

API_VERSION = 1
#: Request bodies are small JSON objects; anything larger is refused unread.
MAX_BODY_BYTES = 4096
_SESSION_PATH = re.compile(r"^/api/v1/sessions/([0-9A-Za-z-]{1,64})(?:/(finish|cancel))?$")
#: Desk error codes and the HTTP status each is answered with.
_STATUS = {
    "counter_closed": HTTPStatus.CONFLICT,
    "session_open": HTTPStatus.CONFLICT,
    "session_ended": HTTPStatus.CONFLICT,
    "no_open_session": HTTPStatus.NOT_FOUND,
    "session_not_found": HTTPStatus.NOT_FOUND,
    "unknown_staff": HTTPStatus.UNPROCESSABLE_ENTITY,
    "invalid": HTTPStatus.UNPROCESSABLE_ENTITY,
}
_FINISH_OUTCOMES = {o.value: o for o in Outcome if o is not Outcome.CANCELLED}


class ApiError(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _fields(body: dict[str, Any], allowed: dict[str, int]) -> dict[str, str | None]:
    """The string fields of `body` (each at most `allowed[name]` characters, or null)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid", f"unknown field(s): {', '.join(unknown)}"
        )
    found: dict[str, str | None] = {}
    for name, limit in allowed.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= limit):
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "invalid",
                f"{name} must be a string of 1 to {limit} characters, or null",
            )
        found[name] = value
    return found


class QueueApi:
    """The HTTP server, in a thread of its own, until `stop()`."""

    def __init__(self, desk: ServiceDesk, host: str, port: int, key: str) -> None:
        if not key:
            raise ValueError("the queue API needs a key")
        self.desk = desk
        self._key = key.encode()
        api = self

        class Handler(_Handler):
            owner = api

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hallrate-queue-api", daemon=True
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread.start()
        host, port = self.address
        log.info("queue API listening on %s:%d", host, port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def authorized(self, header: str | None) -> bool:
        scheme, _, given = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self._key)

    # -- the routes ----------------------------------------------------------------------

    def route(self, method: str, path: str, body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        desk = self.desk
        if path == "/api/v1/status":
            self._only(method, "GET")
            return HTTPStatus.OK, {"api": API_VERSION, **desk.status()}
        if path == "/api/v1/duty":
            if method == "DELETE":
                desk.sign_out()
                return HTTPStatus.OK, {"staff_on_duty": None}
            self._only(method, "POST")
            staff = _fields(body, {"staff": 64})["staff"]
            if staff is None:
                raise ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid", "staff is required")
            member = desk.sign_in(staff)
            return HTTPStatus.OK, {"staff_on_duty": {"id": member.id, "name": member.name}}
        if path == "/api/v1/sessions":
            self._only(method, "POST")
            given = _fields(body, {"ticket": 32, "staff_id": 64, "matter_code": 40})
            session = desk.start(
                ticket=given["ticket"], staff_id=given["staff_id"], matter_code=given["matter_code"]
            )
            return HTTPStatus.CREATED, {"session": session_json(session)}
        match = _SESSION_PATH.match(path)
        if match is None:
            raise ApiError(HTTPStatus.NOT_FOUND, "not_found", f"no such endpoint: {path}")
        session_id, action = match.group(1), match.group(2)
        wanted = None if session_id == "current" else session_id
        if action is None:
            self._only(method, "GET")
            return HTTPStatus.OK, {"session": self._session(wanted)}
        self._only(method, "POST")
        if action == "cancel":
            _fields(body, {})
            session = desk.finish(wanted, Outcome.CANCELLED)
            return HTTPStatus.OK, {"session": session_json(session), "invited": False}
        outcome = _fields(body, {"outcome": 16})["outcome"]
        if outcome not in _FINISH_OUTCOMES:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "invalid",
                f"outcome must be one of {', '.join(_FINISH_OUTCOMES)}",
            )
        session = desk.finish(wanted, _FINISH_OUTCOMES[outcome])
        return HTTPStatus.OK, {"session": session_json(session), "invited": True}

    def _session(self, session_id: str | None) -> dict[str, Any]:
        if session_id is None:
            current = self.desk.current()
            if current is None:
                raise DeskError("no_open_session", "no session is open at this counter")
            return session_json(current)
        session, rating_id = self.desk.session(session_id)
        return session_json(session, rating_id)

    @staticmethod
    def _only(method: str, allowed: str) -> None:
        if method != allowed:
            raise ApiError(
                HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", f"use {allowed} here"
            )


class _Handler(BaseHTTPRequestHandler):
    owner: QueueApi
    server_version = "hallrate-kiosk"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        try:
            if not self.owner.authorized(self.headers.get("Authorization")):
                raise ApiError(
                    HTTPStatus.UNAUTHORIZED,
                    "unauthorized",
                    "missing or wrong key: send Authorization: Bearer <the kiosk's key>",
                )
            body = self._body()
            status, answer = self.owner.route(method, self.path.split("?", 1)[0], body)
        except ApiError as exc:
            status, answer = exc.status, _error(exc.code, exc.message)
        except DeskError as exc:
            status = _STATUS.get(exc.code, HTTPStatus.CONFLICT)
            answer = _error(exc.code, exc.message)
        except StoreError as exc:
            log.error("queue API: store error %s", exc.reason)
            status = HTTPStatus.SERVICE_UNAVAILABLE
            answer = _error("store_error", f"the kiosk cannot store this now ({exc.reason})")
        except Exception:  # a bug must still answer in JSON, and never kill the server
            log.exception("queue API: %s %s failed", method, self.path[:100])
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            answer = _error("internal", "the kiosk failed to handle this request")
        self._send(status, answer)

    def _body(self) -> dict[str, Any]:
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit():
            raise ApiError(HTTPStatus.BAD_REQUEST, "bad_request", "Content-Length is not a number")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "too_large",
                f"the body may have at most {MAX_BODY_BYTES} bytes",
            )
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(HTTPStatus.BAD_REQUEST, "bad_json", "the body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(HTTPStatus.BAD_REQUEST, "bad_json", "the body must be a JSON object")
        return body

    def _send(self, status: HTTPStatus, answer: Any) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # What http.server answers itself (a malformed request line, a method it does not
        # know) is JSON too.
        self.close_connection = True
        self._send(HTTPStatus(code), _error("bad_request", message or HTTPStatus(code).phrase))

    def log_message(self, format: str, *args: Any) -> None:
        # Method, path and status only: never a key or a body.
        log.debug("queue API: %s", format % args)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
