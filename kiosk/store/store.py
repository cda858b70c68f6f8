"""The kiosk's durable local store: ratings, sessions, the outbox, server state, settings.

`record_rating()` is the one write on the citizen's path: the rating and its outbox row are
committed in one transaction (WAL, synchronous=FULL) before it returns, so a rating the
citizen saw accepted survives kill -9 and power loss, and is sent exactly once.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import uuid6
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk.store import models
from kiosk.store.database import OpenReport, make_engine, prepare, translated_errors
from kiosk.store.errors import InvalidRatingError, SessionError, StoreError
from sync import protocol
from sync.client import (
    MAX_ITEMS,
    MAX_PAYLOAD_BYTES,
    SERVER_CONFIG,
    OutboxState,
    OutboxUpdate,
    ServerState,
)
from sync.receipt import receipt_code
from sync.scoring import (
    DEFAULT_CONFIG,
    Aggregate,
    ScoreError,
    ScoringConfig,
    ScoringConfigError,
    config_from_block,
    weighted_score,
)

log = logging.getLogger(__name__)

#: The settings key of the device's receipt key (hex): made once, never sent anywhere.
RECEIPT_KEY = "receipt.key"


def _insert_sql(table: Table, skip: frozenset[str] = frozenset()) -> str:
    columns = [c.name for c in table.columns if c.name not in skip]
    names = ", ".join(columns)
    values = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({values})"


# The rating path runs these as plain SQL: building and caching SQLAlchemy statements costs
# more than the two inserts themselves. Column lists come from the models, so they cannot drift.
#: The next seq continues after ratings deleted by retention (their highest seq is kept
#: in the settings as SEQ_FLOOR), so numbering never repeats.
SEQ_FLOOR = "store.seq_floor"
_NEXT_SEQ = (
    "SELECT max(coalesce((SELECT max(seq) FROM ratings), 0),"
    f" coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '{SEQ_FLOOR}'), 0))"
)
_INSERT_RATING = _insert_sql(models.Base.metadata.tables["ratings"])
_INSERT_OUTBOX = _insert_sql(models.Base.metadata.tables["outbox"], frozenset({"position"}))


@dataclass(frozen=True)
class Purged:
    """What one retention pass deleted."""

    ratings: int
    sessions: int


@dataclass(frozen=True)
class RecordedRating:
    id: str
    seq: int
    created_at: datetime
    weighted_score: Decimal
    #: The code the citizen follows the rating by (sync/receipt.py).
    receipt: str


@dataclass(frozen=True)
class OutboxEntry:
    position: int
    kind: str
    item_id: str
    payload: str
    size: int


@dataclass(frozen=True)
class StoreStatus:
    ratings: int
    pending: int
    in_flight: int
    dead: int
    last_error: str | None
    #: The version of the scoring configuration new ratings are made with.
    content_version: str


class Store:
    """The local store of one kiosk. Safe to share between the GUI and a sync thread."""

    def __init__(self, path: Path, report: OpenReport, config: ScoringConfig) -> None:
        self.path = path
        self.report = report
        #: The scoring rules ratings are scored and counted with: the server's, from the
        #: last answer that carried them (kept in the store, so a restart keeps them), and
        #: the code defaults given to `open` before the first contact.
        self.config = config
        self._writer: Engine = make_engine(path, immediate=True)
        self._reader: Engine = make_engine(path, immediate=False)
        # One writer at a time inside this process; SQLite's lock orders other processes.
        self._write_lock = threading.Lock()
        self._receipt_key = b""

    @classmethod
    def open(cls, path: Path | str, config: ScoringConfig = DEFAULT_CONFIG) -> Store:
        """Open (creating, checking and migrating as needed) the store file at `path`."""
        path = Path(path)
        report = prepare(path)
        store = cls(path, report, config)
        store._adopt_server_config(store.get_setting(SERVER_CONFIG))
        try:
            store._receipt_key = store._ensure_receipt_key()
        except StoreError as exc:
            # A full or read-only store still opens (to show what is wrong); the key is
            # made at the first rating that can be written.
            log.warning("store: receipt key not made yet: %s", exc.reason)
        return store

    def _ensure_receipt_key(self) -> bytes:
        """The device's receipt key, made on first use. Losing it (a new store) only means
        new ratings get codes under a new key; codes already made stay with their ratings."""
        stored = self.get_setting(RECEIPT_KEY)
        if not isinstance(stored, str):
            stored = secrets.token_hex(32)
            self.set_setting(RECEIPT_KEY, stored)
        return bytes.fromhex(stored)

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()

    # -- the citizen's path ------------------------------------------------------------

    def record_rating(
        self,
        *,
        counter_id: str,
        scores: Mapping[str, int],
        staff_id: str | None = None,
        session_id: str | None = None,
        reasons: Sequence[str] = (),
        comment: str = "",
        channel: protocol.Channel = "kiosk",
        content_version: str | None = None,
        created_at: datetime | None = None,
    ) -> RecordedRating:
        """Store a rating with the next `seq` and its outbox row, durably, in one transaction.

        Raises `InvalidRatingError` for a rating that breaks the rules, `StoreFullError` or
        `StoreReadOnlyError` when it cannot be written; in every case nothing is stored.
        """
        try:
            score = weighted_score(scores, self.config)
        except ScoreError as exc:
            raise InvalidRatingError(str(exc)) from exc
        when = (created_at or datetime.now().astimezone()).isoformat(timespec="milliseconds")
        rating_id = str(uuid6.uuid7())
        receipt = receipt_code(self._receipt_key or self._ensure_receipt_key(), rating_id)
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            seq = (conn.exec_driver_sql(_NEXT_SEQ).scalar() or 0) + 1
            try:
                wire = protocol.Rating.model_validate(
                    {
                        "id": rating_id,
                        "seq": seq,
                        "counter_id": counter_id,
                        "staff_id": staff_id,
                        "session_id": session_id,
                        "created_at": when,
                        "scores": dict(scores),
                        "reasons": list(reasons),
                        "comment": comment,
                        "channel": channel,
                        "content_version": content_version or self.config.version,
                        "receipt": receipt,
                    }
                )
            except ValidationError as exc:
                raise InvalidRatingError(protocol.describe_error(exc)) from exc
            payload = wire.model_dump_json()
            created_ts = wire.created_at.timestamp()
            conn.exec_driver_sql(
                _INSERT_RATING,
                {
                    "id": rating_id,
                    "seq": seq,
                    "counter_id": counter_id,
                    "staff_id": staff_id,
                    "session_id": session_id,
                    "created_at": when,
                    "created_ts": created_ts,
                    "scores": json.dumps(dict(scores)),
                    "weighted_score": str(score),
                    "reasons": json.dumps(list(reasons)),
                    "comment": comment,
                    "channel": channel,
                    "content_version": wire.content_version,
                },
            )
            conn.exec_driver_sql(
                _INSERT_OUTBOX,
                {
                    "kind": "rating",
                    "item_id": rating_id,
                    "state": "pending",
                    "payload": payload,
                    "size": len(payload.encode()),
                    "batch_id": None,
                    "attempts": 0,
                    "error": None,
                    "updated_ts": created_ts,
                },
            )
        return RecordedRating(rating_id, seq, wire.created_at, score, receipt)

    def record_session(self, session: protocol.ServiceSession) -> None:
        """Store a service session as given and queue it for the server (idempotent by id;
        a copy of a known session changes nothing)."""
        payload = session.model_dump_json()
        now = datetime.now().astimezone().timestamp()
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            conn.execute(
                sqlite_insert(models.ServiceSession)
                .values(**_session_row(session))
                .on_conflict_do_nothing()
            )
            conn.execute(
                sqlite_insert(models.OutboxItem)
                .values(
                    kind="session",
                    item_id=session.id,
                    state="pending",
                    payload=payload,
                    size=len(payload.encode()),
                    attempts=0,
                    updated_ts=now,
                )
                .on_conflict_do_nothing()
            )

    # -- service sessions ----------------------------------------------------------------

    def start_session(
        self,
        *,
        counter_id: str,
        staff_id: str | None,
        ticket: str | None = None,
        matter_code: str | None = None,
        started_at: datetime | None = None,
    ) -> protocol.ServiceSession:
        """Open a new service session, durably, and queue it for the server.

        Raises `SessionError("open", ...)` while another session of the counter is open
        (it must be finished or cancelled first), `SessionError("invalid", ...)` for a
        field the protocol refuses; in every case nothing is stored.
        """
        when = (started_at or datetime.now().astimezone()).isoformat(timespec="milliseconds")
        try:
            session = protocol.ServiceSession.model_validate(
                {
                    "id": str(uuid6.uuid7()),
                    "counter_id": counter_id,
                    "staff_id": staff_id,
                    "ticket": ticket,
                    "matter_code": matter_code,
                    "started_at": when,
                }
            )
        except ValidationError as exc:
            raise SessionError("invalid", protocol.describe_error(exc)) from exc
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            open_id = conn.scalar(_open_session_query(counter_id))
            if open_id is not None:
                raise SessionError("open", f"session {open_id} is still open at this counter")
            conn.execute(insert(models.ServiceSession).values(**_session_row(session)))
            _queue_session(conn, session, new=True)
        return session

    def finish_session(
        self,
        session_id: str,
        outcome: protocol.Outcome,
        ended_at: datetime | None = None,
    ) -> protocol.ServiceSession:
        """End an open session with `outcome` (cancelled included), durably, and queue the
        ended copy for the server. Raises `SessionError` (`not_found`, `ended`)."""
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            row = conn.execute(
                select(models.ServiceSession).where(models.ServiceSession.id == session_id)
            ).first()
            if row is None:
                raise SessionError("not_found", f"no session {session_id} at this kiosk")
            if row.ended_at is not None:
                raise SessionError("ended", f"session {session_id} ended already ({row.outcome})")
            when = (ended_at or datetime.now().astimezone()).isoformat(timespec="milliseconds")
            try:
                session = protocol.ServiceSession.model_validate(
                    {
                        **_wire_fields(row),
                        "ended_at": when,
                        "outcome": outcome.value,
                        "finished_in_one_visit": protocol.finished_in_one_visit(outcome),
                    }
                )
            except ValidationError as exc:
                raise SessionError("invalid", protocol.describe_error(exc)) from exc
            conn.execute(
                update(models.ServiceSession)
                .where(models.ServiceSession.id == session_id)
                .values(**_session_row(session))
            )
            _queue_session(conn, session, new=False)
        return session

    def get_session(self, session_id: str) -> SessionState | None:
        """The session as stored here, and the id of its rating made here (if any)."""
        with translated_errors(), self._reader.connect() as conn:
            row = conn.execute(
                select(models.ServiceSession).where(models.ServiceSession.id == session_id)
            ).first()
            if row is None:
                return None
            rating_id = conn.scalar(
                select(models.Rating.id).where(models.Rating.session_id == session_id).limit(1)
            )
        return SessionState(protocol.ServiceSession.model_validate(_wire_fields(row)), rating_id)

    def open_session(self, counter_id: str) -> protocol.ServiceSession | None:
        """The counter's session still open here, if any."""
        with translated_errors(), self._reader.connect() as conn:
            open_id = conn.scalar(_open_session_query(counter_id))
        if open_id is None:
            return None
        found = self.get_session(open_id)
        return found.session if found else None

    def session_awaiting_rating(
        self, counter_id: str, ended_since: datetime
    ) -> protocol.ServiceSession | None:
        """The counter's latest session that ended with a service since `ended_since` and
        has no rating made here yet: the one the kiosk invites a rating for (also after a
        restart between the finish and the rating)."""
        query = (
            select(models.ServiceSession)
            .where(
                models.ServiceSession.counter_id == counter_id,
                models.ServiceSession.ended_ts >= ended_since.timestamp(),
                models.ServiceSession.outcome != protocol.Outcome.CANCELLED.value,
            )
            .order_by(models.ServiceSession.ended_ts.desc())
            .limit(1)
        )
        with translated_errors(), self._reader.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            rated = conn.scalar(
                select(models.Rating.id).where(models.Rating.session_id == row.id).limit(1)
            )
        if rated is not None:
            return None
        return protocol.ServiceSession.model_validate(_wire_fields(row))

    # -- the outbox ----------------------------------------------------------------------

    def pending_outbox(
        self,
        max_items: int = MAX_ITEMS,
        max_bytes: int = MAX_PAYLOAD_BYTES,
        states: Sequence[OutboxState] = ("pending",),
    ) -> list[OutboxEntry]:
        """Items in `states` (pending), oldest first, at most `max_items` and `max_bytes`.

        The first item is always returned, even alone over `max_bytes`, so that one large
        item can never block the queue.
        """
        entries: list[OutboxEntry] = []
        total = 0
        query = (
            select(
                models.OutboxItem.position,
                models.OutboxItem.kind,
                models.OutboxItem.item_id,
                models.OutboxItem.payload,
                models.OutboxItem.size,
            )
            .where(models.OutboxItem.state.in_(states))
            .order_by(models.OutboxItem.position)
            .limit(max_items)
        )
        with translated_errors(), self._reader.connect() as conn:
            for row in conn.execute(query):
                if entries and total + row.size > max_bytes:
                    break
                entries.append(
                    OutboxEntry(row.position, row.kind, row.item_id, row.payload, row.size)
                )
                total += row.size
        return entries

    def mark_outbox(
        self,
        item_ids: Sequence[str],
        state: OutboxState,
        *,
        batch_id: str | None = None,
        error: str | None = None,
    ) -> int:
        """Move outbox items to `state`; returns how many moved. Delivered items stay delivered."""
        if not item_ids:
            return 0
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            return _mark(conn, item_ids, state, batch_id=batch_id, error=error)

    def apply_sync(self, update: OutboxUpdate) -> None:
        """Everything one sync answer (or failure) changes, in one durable transaction: a
        catch-up of 200 batches pays one fsync per batch, not seven."""
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            for ids, state, error in update.moves:
                # Only items still in flight: a session re-queued with its ended copy
                # while its opening copy was in flight stays pending.
                _mark(conn, ids, state, error=error, only_in_flight=True)
            if update.server_state is not None:
                _save_server_state(conn, update.server_state)
            for key, value in update.settings.items():
                _set(conn, key, value)
        if SERVER_CONFIG in update.settings:
            self._adopt_server_config(update.settings[SERVER_CONFIG])

    def pending_count(self) -> int:
        """Items not yet delivered nor dead: the queue depth reported to the server."""
        query = select(func.count()).where(models.OutboxItem.state.in_(("pending", "in_flight")))
        with translated_errors(), self._reader.connect() as conn:
            return conn.scalar(query) or 0

    def first_waiting_rating_time(self, after_position: int) -> str | None:
        """`created_at` of the first pending rating queued after `after_position` (an outbox
        position), or None: what a batch ending there leaves waiting on the device."""
        query = (
            select(func.json_extract(models.OutboxItem.payload, "$.created_at"))
            .where(models.OutboxItem.state == "pending")
            .where(models.OutboxItem.position > after_position)
            .where(models.OutboxItem.kind == "rating")
            .order_by(models.OutboxItem.position)
            .limit(1)
        )
        with translated_errors(), self._reader.connect() as conn:
            value = conn.scalar(query)
        return value if isinstance(value, str) else None

    def requeue_in_flight(self) -> int:
        """Put items left in flight (by a crash mid-sync) back to pending; at start-up."""
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            result = conn.execute(
                update(models.OutboxItem)
                .where(models.OutboxItem.state == "in_flight")
                .values(state="pending")
            )
        if result.rowcount:
            log.warning("store: %d items were in flight at start-up; queued again", result.rowcount)
        return result.rowcount

    def purge_confirmed(self, confirmed_before: datetime) -> Purged:
        """Delete ratings and sessions the server confirmed (outbox `delivered`) before
        `confirmed_before`, with their outbox rows: personal data kept no longer than the
        hall's retention. Nothing pending, in flight or dead is touched, and the highest
        seq deleted is remembered so that numbering carries on after it."""
        cutoff = confirmed_before.timestamp()
        done = (
            select(models.OutboxItem.item_id)
            .where(models.OutboxItem.state == "delivered")
            .where(models.OutboxItem.updated_ts < cutoff)
        )
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            # Deleted rows are overwritten, not left readable in free pages of the file.
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
            top = conn.scalar(
                select(func.max(models.Rating.seq)).where(
                    models.Rating.id.in_(done.where(models.OutboxItem.kind == "rating"))
                )
            )
            if top is not None:
                floor = conn.scalar(
                    select(models.Setting.value).where(models.Setting.key == SEQ_FLOOR)
                )
                _set(conn, SEQ_FLOOR, max(int(top), int(floor or 0)))
            ratings = conn.execute(
                delete(models.Rating).where(
                    models.Rating.id.in_(done.where(models.OutboxItem.kind == "rating"))
                )
            ).rowcount
            sessions = conn.execute(
                delete(models.ServiceSession).where(
                    models.ServiceSession.id.in_(done.where(models.OutboxItem.kind == "session"))
                )
            ).rowcount
            conn.execute(
                delete(models.OutboxItem)
                .where(models.OutboxItem.state == "delivered")
                .where(models.OutboxItem.updated_ts < cutoff)
            )
        if ratings or sessions:
            log.info("store: retention deleted %d ratings, %d sessions", ratings, sessions)
        return Purged(ratings, sessions)

    # -- reading -------------------------------------------------------------------------

    def counter_aggregate(
        self, counter_id: str, since: datetime, until: datetime | None = None
    ) -> Aggregate:
        """The counter's aggregate over the ratings stored here in [since, until)."""
        query = select(models.Rating.scores).where(
            models.Rating.counter_id == counter_id,
            models.Rating.created_ts >= since.timestamp(),
        )
        if until is not None:
            query = query.where(models.Rating.created_ts < until.timestamp())
        with translated_errors(), self._reader.connect() as conn:
            rows = conn.execute(query).scalars().all()
        return Aggregate.of(rows, self.config)

    def status(self) -> StoreStatus:
        """Counts for the admin screen."""
        states = select(models.OutboxItem.state, func.count()).group_by(models.OutboxItem.state)
        last_error = (
            select(models.OutboxItem.error)
            .where(models.OutboxItem.error.is_not(None))
            .order_by(models.OutboxItem.updated_ts.desc())
            .limit(1)
        )
        with translated_errors(), self._reader.connect() as conn:
            ratings = conn.scalar(select(func.count()).select_from(models.Rating)) or 0
            counts: dict[str, int] = {row[0]: row[1] for row in conn.execute(states)}
            error = conn.scalar(last_error)
        return StoreStatus(
            ratings=ratings,
            pending=counts.get("pending", 0),
            in_flight=counts.get("in_flight", 0),
            dead=counts.get("dead", 0),
            last_error=error,
            content_version=self.config.version,
        )

    def get_setting(self, key: str, default: Any = None) -> Any:
        with translated_errors(), self._reader.connect() as conn:
            row = conn.execute(
                select(models.Setting.value).where(models.Setting.key == key)
            ).first()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: Any) -> None:
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            _set(conn, key, value)
        if key == SERVER_CONFIG:
            self._adopt_server_config(value)

    def _adopt_server_config(self, block: Any) -> None:
        """Score with the configuration the server's `config` block carries, if it does."""
        try:
            config = config_from_block(block if isinstance(block, Mapping) else None)
        except ScoringConfigError as exc:
            log.error("store: the server's scoring configuration is not usable: %s", exc)
            return
        if config is not None and config != self.config:
            log.info("store: scoring with the server's configuration %s", config.version)
            self.config = config

    # -- what the server sent back -------------------------------------------------------

    def save_server_state(
        self,
        counter_scores: protocol.CounterScores | None,
        alerts: Sequence[protocol.Alert],
        counter_id: str,
        received_ts: float,
    ) -> None:
        """Keep the counter's latest server scores and replace its open alerts."""
        with self._write_lock, translated_errors(), self._writer.begin() as conn:
            _save_server_state(conn, ServerState(counter_scores, alerts, counter_id, received_ts))

    def server_scores(self, counter_id: str) -> tuple[protocol.CounterScores, float] | None:
        """The server's last counter scores and when they arrived, if any."""
        query = select(models.ServerScore.payload, models.ServerScore.received_ts).where(
            models.ServerScore.counter_id == counter_id
        )
        with translated_errors(), self._reader.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        try:
            return protocol.CounterScores.model_validate_json(json.dumps(row[0])), row[1]
        except ValidationError:
            log.warning("store: kept server scores of %s no longer read; ignored", counter_id)
            return None

    def server_alerts(self, counter_id: str) -> list[protocol.Alert]:
        """The counter's open alerts as the server last sent them."""
        query = select(models.ServerAlert.payload).where(
            models.ServerAlert.counter_id == counter_id
        )
        with translated_errors(), self._reader.connect() as conn:
            payloads = list(conn.execute(query).scalars())
        alerts = []
        for payload in payloads:
            try:
                alerts.append(protocol.Alert.model_validate_json(json.dumps(payload)))
            except ValidationError:
                log.warning("store: a kept alert of %s no longer reads; ignored", counter_id)
        return alerts


def _mark(
    conn: Connection,
    item_ids: Sequence[str],
    state: OutboxState,
    *,
    batch_id: str | None = None,
    error: str | None = None,
    only_in_flight: bool = False,
) -> int:
    values: dict[str, Any] = {
        "state": state,
        "updated_ts": datetime.now().astimezone().timestamp(),
    }
    if batch_id is not None:
        values["batch_id"] = batch_id
    if state == "in_flight":
        values["attempts"] = models.OutboxItem.attempts + 1
    if error is not None:
        values["error"] = error
    if not item_ids:
        return 0
    # One bound JSON array instead of an IN list of 500 parameters: the statement compiles
    # once, and SQLite walks the array with the item_id index.
    listed = func.json_each(json.dumps(list(item_ids))).table_valued("value")
    query = (
        update(models.OutboxItem)
        .where(models.OutboxItem.item_id.in_(select(listed.c.value)))
        .where(models.OutboxItem.state != "delivered")
    )
    if only_in_flight:
        query = query.where(models.OutboxItem.state == "in_flight")
    result = conn.execute(query.values(**values))
    return int(result.rowcount)


def _set(conn: Connection, key: str, value: Any) -> None:
    stmt = sqlite_insert(models.Setting).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def _save_server_state(conn: Connection, state: ServerState) -> None:
    if state.counter_scores is not None:
        stmt = sqlite_insert(models.ServerScore).values(
            counter_id=state.counter_id,
            payload=state.counter_scores.model_dump(mode="json"),
            received_ts=state.received_ts,
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["counter_id"],
                set_={"payload": stmt.excluded.payload, "received_ts": state.received_ts},
            )
        )
    conn.execute(
        delete(models.ServerAlert).where(models.ServerAlert.counter_id == state.counter_id)
    )
    if state.alerts:
        conn.execute(
            insert(models.ServerAlert),
            [
                {
                    "id": alert.id,
                    "counter_id": state.counter_id,
                    "payload": alert.model_dump(mode="json"),
                    "received_ts": state.received_ts,
                }
                for alert in state.alerts
            ],
        )


@dataclass(frozen=True)
class SessionState:
    session: protocol.ServiceSession
    #: The rating made here for the session, if any.
    rating_id: str | None


def _session_row(session: protocol.ServiceSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "counter_id": session.counter_id,
        "staff_id": session.staff_id,
        "ticket": session.ticket,
        "started_at": session.started_at.isoformat(timespec="milliseconds"),
        "ended_at": session.ended_at.isoformat(timespec="milliseconds")
        if session.ended_at
        else None,
        "finished_in_one_visit": session.finished_in_one_visit,
        "matter_code": session.matter_code,
        "outcome": session.outcome.value if session.outcome else None,
        "started_ts": session.started_at.timestamp(),
        "ended_ts": session.ended_at.timestamp() if session.ended_at else None,
    }


def _wire_fields(row: Any) -> dict[str, Any]:
    """A stored session row as protocol fields (the copy sent again must hash the same)."""
    fields: dict[str, Any] = {
        "id": row.id,
        "counter_id": row.counter_id,
        "staff_id": row.staff_id,
        "ticket": row.ticket,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "finished_in_one_visit": row.finished_in_one_visit,
    }
    if row.matter_code is not None:
        fields["matter_code"] = row.matter_code
    if row.outcome is not None:
        fields["outcome"] = row.outcome
    return fields


def _open_session_query(counter_id: str) -> Any:
    return (
        select(models.ServiceSession.id)
        .where(
            models.ServiceSession.counter_id == counter_id,
            models.ServiceSession.ended_at.is_(None),
        )
        .order_by(models.ServiceSession.started_ts.desc())
        .limit(1)
    )


def _queue_session(conn: Connection, session: protocol.ServiceSession, *, new: bool) -> None:
    """Queue the session's current copy. A session already queued gets its payload
    replaced and goes back to pending, whatever its state: an answer for a copy still in
    flight then finds it pending and leaves it so (`apply_sync` moves in-flight items
    only), and the ended copy follows in the next batch."""
    payload = session.model_dump_json(exclude_none=False)
    values = {
        "state": "pending",
        "payload": payload,
        "size": len(payload.encode()),
        "error": None,
        "updated_ts": datetime.now().astimezone().timestamp(),
    }
    if not new:
        done = conn.execute(
            update(models.OutboxItem)
            .where(models.OutboxItem.item_id == session.id)
            .values(**values)
        )
        if done.rowcount:
            return
    conn.execute(
        insert(models.OutboxItem).values(
            kind="session", item_id=session.id, attempts=0, batch_id=None, **values
        )
    )
