"""Idempotent writes of ratings and service sessions.

New rows go in with INSERT … ON CONFLICT (id) DO NOTHING, so a batch racing a copy of
itself (a retried request still running) stores each rating once and learns which ones it
stored. On PostgreSQL the rows are streamed with COPY into a per-connection temporary table
first: one round trip instead of parameter lists, the fastest idempotent path measured.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import Rating, ServiceSession

RATING_COLUMNS: tuple[str, ...] = tuple(c.name for c in Rating.__table__.columns)
_ID_CHUNK = 900  # below SQLite's default limit of bound parameters per statement


def existing_hashes(session: Session, ids: Collection[str]) -> dict[str, str]:
    """Content hashes of the ratings among `ids` already stored."""
    found: dict[str, str] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), _ID_CHUNK):
        chunk = id_list[start : start + _ID_CHUNK]
        rows = session.execute(
            select(Rating.id, Rating.content_hash).where(Rating.id.in_(chunk))
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def insert_ratings(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert ratings not yet stored; the ids this call stored."""
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _copy_insert_ratings(session, rows)
    stmt = sqlite.insert(Rating).on_conflict_do_nothing(index_elements=["id"]).returning(Rating.id)
    inserted: set[str] = set()
    # insertmanyvalues batches these into multi-row INSERT … RETURNING statements.
    inserted.update(session.scalars(stmt, list(rows)))
    return inserted


_STAGE = "hallrate_incoming_ratings"


def _copy_insert_ratings(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    connection = session.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    columns = ", ".join(RATING_COLUMNS)
    with raw.cursor() as cursor:
        # Temporary tables live per connection, so pooled connections reuse theirs. It is
        # emptied after use (a rollback empties it too); ON COMMIT DELETE ROWS would instead
        # cost a truncate at every commit of the connection, ingest or not.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (LIKE ratings INCLUDING DEFAULTS)"
        )
        with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(_pg_value(name, row[name]) for name in RATING_COLUMNS))
        cursor.execute(
            f"INSERT INTO ratings ({columns}) SELECT {columns} FROM {_STAGE} "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        inserted = {r[0] for r in cursor.fetchall()}
        cursor.execute(f"TRUNCATE {_STAGE}")
    return inserted


def _pg_value(name: str, value: Any) -> Any:
    if name == "reasons":
        return json.dumps(value)
    return value


def existing_sessions(session: Session, ids: Collection[str]) -> dict[str, ServiceSession]:
    found: dict[str, ServiceSession] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), _ID_CHUNK):
        chunk = id_list[start : start + _ID_CHUNK]
        found.update({
            s.id: s for s in session.scalars(
                select(ServiceSession).where(ServiceSession.id.in_(chunk)).with_for_update()
            )
        })
    return found


def insert_sessions(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ServiceSession).on_conflict_do_nothing(index_elements=["id"]).returning(
        ServiceSession.id
    )
    return set(session.scalars(stmt, list(rows)))
