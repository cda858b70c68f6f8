"""ASGI middleware: request bodies are size-limited and may be gzip-compressed.

The limit holds for what the application will parse: a gzip body is inflated in bounded
steps and refused as soon as it passes the limit, so a small "gzip bomb" costs at most
the limit in memory. Downstream sees a plain body without Content-Encoding.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    pass


def inflate(data: bytes, limit: int) -> bytes:
    """Gunzip `data`, refusing output past `limit` bytes (and trailing garbage)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise BadEncoding("the body is not valid gzip") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge
    if not inflater.eof:
        raise BadEncoding("the gzip body is truncated")
    if inflater.unused_data:
        # Bytes after the gzip stream: not a body we sent; nothing of it is guessed at.
        raise BadEncoding("the gzip body has data after its end")
    return out


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding not in (b"identity", b"gzip"):
            await _reject(
                send, 415, "unsupported_media_type", "Content-Encoding must be gzip or absent"
            )
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _reject(send, 413, "too_large", self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _reject(send, 413, "too_large", self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if encoding == b"gzip":
            try:
                body = inflate(body, self.max_bytes)
            except BodyTooLarge:
                await _reject(send, 413, "too_large", self._too_large())
                return
            except BadEncoding as exc:
                await _reject(send, 400, "bad_encoding", str(exc))
                return
        new_headers = [
            (k, v)
            for k, v in scope["headers"]
            if k.lower() not in (b"content-encoding", b"content-length")
        ]
        new_headers.append((b"content-length", str(len(body)).encode()))
        scope = dict(scope, headers=new_headers)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes; split the batch"


async def _reject(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
