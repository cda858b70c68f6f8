"""An HTTP-aware TCP proxy on loopback that misbehaves on command, like real networks do.

Tests and benchmarks put it between the kiosk's sync client and the real server. Each
request (keep-alive connections included) takes the next fault from `plan`, or `default`
when the plan is empty:

- `pass`            forward the request and the answer
- `reset`           read part of the request, then reset the connection
- `drop_response`   forward the request, let the server commit, then close without answering
- `html200`         answer 200 with a captive portal's HTML page
- `status:413`, `status:429:30`, `status:500`, ...  answer that status (and Retry-After)
- `trickle`         forward the answer one byte at a time, slowly
- `blackhole`       swallow the request and never answer

`throttle(bits_per_s, rtt_s)` slows every byte both ways, as a rural link would.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable


class HttpConnectionClosed(Exception):
    pass


def _read_message(sock: socket.socket, buffer: bytearray) -> bytes:
    """One HTTP/1.1 message (head and Content-Length or chunked body) from `sock`."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise HttpConnectionClosed
        buffer += chunk
    head_end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:head_end]).lower()
    length = 0
    chunked = b"transfer-encoding: chunked" in head
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    if chunked:
        while not buffer.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise HttpConnectionClosed
            buffer += chunk
        total = len(buffer)
    else:
        total = head_end + length
        while len(buffer) < total:
            chunk = sock.recv(65536)
            if not chunk:
                raise HttpConnectionClosed
            buffer += chunk
    message = bytes(buffer[:total])
    del buffer[:total]
    return message


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout turns close() into a TCP reset.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


CAPTIVE_PORTAL = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
    b"Content-Length: 61\r\n\r\n<html><body>Please log in to the hall Wi-Fi first</body></html>"
)


class FaultProxy:
    """Listens on 127.0.0.1 and forwards to `upstream` (host, port), faults as planned."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.plan: deque[str] = deque()
        self.default = "pass"
        self.trickle_delay_s = 0.05
        self.seen: list[str] = []
        self.bytes_up = 0
        self.bytes_down = 0
        self._bits_per_s: float | None = None
        self._rtt_s = 0.0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def then(self, faults: Iterable[str]) -> None:
        with self._lock:
            self.plan.extend(faults)

    def throttle(self, bits_per_s: float | None, rtt_s: float = 0.0) -> None:
        self._bits_per_s = bits_per_s
        self._rtt_s = rtt_s

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _next_fault(self) -> str:
        with self._lock:
            fault = self.plan.popleft() if self.plan else self.default
            self.seen.append(fault)
            return fault

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _send(self, sock: socket.socket, data: bytes, *, slow: bool = False) -> None:
        if slow:
            for i in range(len(data)):
                sock.sendall(data[i : i + 1])
                time.sleep(self.trickle_delay_s)
            return
        if self._bits_per_s:
            time.sleep(self._rtt_s / 2)
            step = max(1, int(self._bits_per_s / 8 / 20))  # twenty slices a second
            for i in range(0, len(data), step):
                sock.sendall(data[i : i + step])
                time.sleep(len(data[i : i + step]) * 8 / self._bits_per_s)
            return
        sock.sendall(data)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        inbound = bytearray()
        outbound = bytearray()
        try:
            while True:
                try:
                    request = _read_message(client, inbound)
                except HttpConnectionClosed:
                    return
                fault = self._next_fault()
                if fault == "reset":
                    _reset(client)
                    return
                if fault == "blackhole":
                    time.sleep(3600)
                    return
                if fault == "html200":
                    client.sendall(CAPTIVE_PORTAL)
                    return
                if fault.startswith("status:"):
                    parts = fault.split(":")
                    status = int(parts[1])
                    body = b'{"error":{"code":"proxy","message":"injected by the test proxy"}}'
                    extra = f"Retry-After: {parts[2]}\r\n" if len(parts) > 2 else ""
                    client.sendall(
                        f"HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n"
                        f"{extra}Connection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    return
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                self.bytes_up += len(request)
                self._send(upstream, request)
                response = _read_message(upstream, outbound)
                self.bytes_down += len(response)
                if fault == "drop_response":
                    _reset(client)
                    return
                self._send(client, response, slow=fault == "trickle")
        except (OSError, HttpConnectionClosed):
            return
        finally:
            with contextlib.suppress(OSError):
                client.close()
            if upstream is not None:
                with contextlib.suppress(OSError):
                    upstream.close()
