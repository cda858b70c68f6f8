"""The counter's service desk: who is on duty and the service session under way.

Plain Python, no Qt: the queue system's local API (kiosk.queueapi), the staff's sign-in
screen and `hallrate-counter` all go through one `ServiceDesk`, which writes the store and
tells its listeners what changed. The listeners run in the caller's thread (an HTTP thread
for the queue API); the UI's bridge re-emits them as queued Qt signals.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from kiosk.config import KioskConfig
from kiosk.store import SessionError, Store
from sync.client import SERVER_CONFIG
from sync.protocol import Matter, Outcome, ServiceSession

log = logging.getLogger(__name__)

#: The settings key of who is on duty: {"id": ..., "name": ...}, or {"id": null} when
#: nobody is (the counter is closed). Absent on a kiosk nobody ever signed in at: the
#: configured staff member is on duty, as before sign-in existed.
DUTY_KEY = "duty.staff"
#: A finished session is offered for rating this long (also after a restart).
INVITE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    #: The photo's SHA-256 and where the server serves it, when it has one.
    photo_sha256: str | None = None
    photo_url: str | None = None


class DeskError(Exception):
    """A desk request that cannot be done; `code` is stable (the queue API sends it),
    the message says why in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


EventKind = Literal["duty", "started", "finished"]


@dataclass(frozen=True)
class DeskEvent:
    kind: EventKind
    staff: StaffMember | None
    session: ServiceSession | None = None


def badge_digits(text: str) -> str:
    """A badge or staff number reduced to its digits: "S-001" and "001" sign in alike."""
    return re.sub(r"\D", "", text)


class ServiceDesk:
    """Sign-in, sign-out and sessions of one counter. Safe to call from any thread."""

    def __init__(
        self,
        store: Store,
        config: Callable[[], KioskConfig],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners: list[Callable[[DeskEvent], None]] = []

    def subscribe(self, listener: Callable[[DeskEvent], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, event: DeskEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    @property
    def counter_id(self) -> str:
        return self._config().counter_id

    # -- staff ---------------------------------------------------------------------------

    def roster(self) -> list[StaffMember]:
        """The staff who may sign in here: the hall's staff the server sent (those of this
        counter and those of none), or the configured staff member before any answer."""
        server = self._store.get_setting(SERVER_CONFIG) or {}
        listed = server.get("staff") if isinstance(server, Mapping) else None
        counter = self.counter_id
        members = [
            StaffMember(
                str(s["id"]),
                str(s.get("name") or s["id"]),
                s.get("photo_sha256"),
                s.get("photo_url"),
            )
            for s in (listed or [])
            if isinstance(s, Mapping) and s.get("id") and s.get("counter_id") in (counter, None)
        ]
        if not members:
            staff = self._config().staff
            if staff.id:
                members = [StaffMember(staff.id, staff.name)]
        return members

    def find_staff(self, text: str) -> StaffMember | None:
        """The roster member `text` names: their id, or their badge number's digits."""
        wanted = text.strip()
        if not wanted:
            return None
        roster = self.roster()
        for member in roster:
            if member.id.casefold() == wanted.casefold():
                return member
        digits = badge_digits(wanted)
        if digits:
            for member in roster:
                if badge_digits(member.id) == digits:
                    return member
            number = self._config().staff
            if badge_digits(number.number) == digits:
                return next((m for m in roster if m.id == number.id), None)
        return None

    def on_duty(self) -> StaffMember | None:
        saved = self._store.get_setting(DUTY_KEY)
        if saved is None:
            staff = self._config().staff
            return self._with_photo(StaffMember(staff.id, staff.name)) if staff.id else None
        if not isinstance(saved, Mapping) or not saved.get("id"):
            return None
        return self._with_photo(StaffMember(str(saved["id"]), str(saved.get("name") or "")))

    def _with_photo(self, member: StaffMember) -> StaffMember:
        for listed in self.roster():
            if listed.id == member.id:
                return StaffMember(member.id, listed.name, listed.photo_sha256, listed.photo_url)
        return member

    def sign_in(self, text: str) -> StaffMember:
        """Put the staff member `text` names (id or badge number) on duty."""
        member = self.find_staff(text)
        if member is None:
            raise DeskError("unknown_staff", "no staff member of this counter has that number")
        with self._lock:
            self._store.set_setting(DUTY_KEY, {"id": member.id, "name": member.name})
        log.info("desk: staff %s signed in at %s", member.id, self.counter_id)
        self._tell(DeskEvent("duty", member))
        return member

    def sign_out(self) -> None:
        """Nobody on duty: the counter is closed."""
        with self._lock:
            self._store.set_setting(DUTY_KEY, {"id": None})
        log.info("desk: counter %s closed", self.counter_id)
        self._tell(DeskEvent("duty", None))

    # -- matters -------------------------------------------------------------------------

    def matters(self) -> list[Matter]:
        """The server's matter catalog as last received."""
        server = self._store.get_setting(SERVER_CONFIG) or {}
        raw = server.get("matters") if isinstance(server, Mapping) else None
        found: list[Matter] = []
        for item in raw or []:
            try:
                found.append(Matter.model_validate(item))
            except ValueError:
                log.warning("desk: a matter of the server's catalog does not read; skipped")
        return found

    # -- sessions ------------------------------------------------------------------------

    def current(self) -> ServiceSession | None:
        return self._store.open_session(self.counter_id)

    def start(
        self,
        *,
        ticket: str | None = None,
        staff_id: str | None = None,
        matter_code: str | None = None,
    ) -> ServiceSession:
        """Start a session for the staff member named, or the one on duty."""
        with self._lock:
            staff = staff_id or (duty.id if (duty := self.on_duty()) else None)
            if staff is None:
                raise DeskError("counter_closed", "nobody is signed in at this counter")
            try:
                session = self._store.start_session(
                    counter_id=self.counter_id,
                    staff_id=staff,
                    ticket=ticket,
                    matter_code=matter_code,
                    started_at=self._clock(),
                )
            except SessionError as exc:
                raise _desk_error(exc) from exc
        log.info("desk: session %s started (staff %s)", session.id, staff)
        self._tell(DeskEvent("started", self.on_duty(), session))
        return session

    def finish(self, session_id: str | None, outcome: Outcome) -> ServiceSession:
        """End the session `session_id` (None: the one open) with `outcome`."""
        with self._lock:
            if session_id is None:
                open_session = self.current()
                if open_session is None:
                    raise DeskError("no_open_session", "no session is open at this counter")
                session_id = open_session.id
            try:
                session = self._store.finish_session(session_id, outcome, self._clock())
            except SessionError as exc:
                raise _desk_error(exc) from exc
        log.info("desk: session %s ended (%s)", session.id, outcome.value)
        self._tell(DeskEvent("finished", self.on_duty(), session))
        return session

    def session(self, session_id: str) -> tuple[ServiceSession, str | None]:
        """A session of this counter and the id of its rating made here (if any)."""
        found = self._store.get_session(session_id)
        if found is None or found.session.counter_id != self.counter_id:
            raise DeskError("session_not_found", f"no session {session_id} at this kiosk")
        return found.session, found.rating_id

    def awaiting_rating(self) -> ServiceSession | None:
        """The session a rating made now belongs to: the last one served, unrated, ended
        within INVITE_WINDOW, while no newer session is open."""
        if self.current() is not None:
            return None
        return self._store.session_awaiting_rating(self.counter_id, self._clock() - INVITE_WINDOW)

    def status(self) -> dict[str, Any]:
        """What the queue API's status answer carries."""
        duty = self.on_duty()
        current = self.current()
        return {
            "counter_id": self.counter_id,
            "staff_on_duty": {"id": duty.id, "name": duty.name} if duty else None,
            "open_session": session_json(current) if current else None,
            "matters": [m.model_dump() for m in self.matters()],
        }


def session_json(session: ServiceSession, rating_id: str | None = None) -> dict[str, Any]:
    body = session.model_dump(mode="json")
    body["rated"] = rating_id is not None
    return body


def _desk_error(exc: SessionError) -> DeskError:
    codes = {
        "open": "session_open",
        "ended": "session_ended",
        "not_found": "session_not_found",
        "invalid": "invalid",
    }
    return DeskError(codes.get(exc.reason, "store_error"), exc.message)
