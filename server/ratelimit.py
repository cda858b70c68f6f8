"""Rate limits. `SlidingWindowLimit` is in-process (per worker): a cheap guard against a
device's runaway retry loop. `DatabaseLimit` counts in the database, atomically, for the
limits that stop guessing (passwords, enrollment codes, receipt codes): those must hold
across parallel requests and every worker."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import cast

from fastapi import Request
from sqlalchemy import Table, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.database import begin_write
from server.models import RateLimitCount


class SlidingWindowLimit:
    """At most `limit` events per `window_s` seconds for each key."""

    def __init__(self, limit: int, window_s: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._events.clear()  # a flood of keys: forget rather than grow without end
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        return events

    def blocked(self, key: str) -> bool:
        """Whether `key` has used up its events in the window (without recording one)."""
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def hit(self, key: str) -> bool:
        """Record an event; False when it is over the limit (and then not recorded)."""
        with self._lock:
            now = time.monotonic()
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


class DatabaseLimit:
    """At most `limit` events per fixed window of `window_s` seconds for each key, counted
    in the database (`rate_limit_counts`) with one atomic upsert: parallel requests, and
    the workers of a multi-process server, share one count and cannot all slip past it.

    `reserve` counts an attempt before the work it guards (a login, an enrollment), so that
    sixteen parallel guesses are sixteen counts at once; `refund` gives it back when the
    attempt succeeded, so that only failures use up the allowance.
    """

    def __init__(self, scope: str, limit: int, window_s: int) -> None:
        self.scope = scope
        self.limit = limit
        self.window_s = window_s

    def _window(self, now: float) -> int:
        return int(now // self.window_s) * self.window_s

    def reserve(self, session: Session, key: str, now: float | None = None) -> int | None:
        """Count one event for `key` in the caller's transaction; None when it is within the
        limit, else the seconds until the window ends (for Retry-After)."""
        now = time.time() if now is None else now
        window = self._window(now)
        table = cast(Table, RateLimitCount.__table__)
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = (
            insert(table)
            .values(scope=self.scope, key=key[:128], window_start=window, count=1)
            .on_conflict_do_update(
                index_elements=["scope", "key", "window_start"],
                set_={"count": table.c.count + 1},
            )
            .returning(table.c.count)
        )
        count = int(session.execute(upsert).scalar_one())
        if count == 1:
            # The first event of a new window for this key: forget this scope's old windows.
            session.execute(
                delete(table).where(
                    table.c.scope == self.scope, table.c.window_start < window - self.window_s
                )
            )
        if count > self.limit:
            return max(1, math.ceil(window + self.window_s - now))
        return None

    def refund(self, session: Session, key: str, now: float | None = None) -> None:
        """Take back one event `reserve` counted for `key` in the current window."""
        window = self._window(time.time() if now is None else now)
        table = cast(Table, RateLimitCount.__table__)
        session.execute(
            update(table)
            .where(
                table.c.scope == self.scope,
                table.c.key == key[:128],
                table.c.window_start == window,
                table.c.count > 0,
            )
            .values(count=table.c.count - 1)
        )

    def reserve_now(self, factory: sessionmaker[Session], key: str) -> int | None:
        """`reserve` in a short transaction of its own, committed at once."""
        with factory() as session:
            begin_write(session)
            blocked = self.reserve(session, key)
            session.commit()
        return blocked

    def refund_now(self, factory: sessionmaker[Session], key: str) -> None:
        with factory() as session:
            begin_write(session)
            self.refund(session, key)
            session.commit()


def client_address(request: Request) -> str:
    """The address a request comes from: the peer, or the client a trusted proxy names
    (uvicorn rewrites the peer from X-Forwarded-For only for `trusted_proxies`)."""
    return request.client.host if request.client else "unknown"
