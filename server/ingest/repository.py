"""Idempotent writes of ratings and service sessions.

New rows go in with INSERT … ON CONFLICT (id) DO NOTHING, so a batch racing a copy of
itself (a retried request still running) stores each rating once and learns which ones it
stored. On PostgreSQL a whole batch is one statement and one round trip: the rows travel as
one JSON parameter, and the same statement answers which ids it inserted and the content
hashes of those that were already stored. Under load, round trips to the database
were most of an ingest's time; the earlier path (look up the ids, COPY into a temporary
table, insert from it, truncate it) took five.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

import orjson
from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import Rating, ServiceSession, SessionRating

_RATINGS = cast(Table, Rating.__table__)
RATING_COLUMNS: tuple[str, ...] = tuple(c.name for c in _RATINGS.columns)
_ID_CHUNK = 900  # below SQLite's default limit of bound parameters per statement


def existing_hashes(session: Session, ids: Collection[str]) -> dict[str, str]:
    """Content hashes of the ratings among `ids` already stored."""
    found: dict[str, str] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), _ID_CHUNK):
        chunk = id_list[start : start + _ID_CHUNK]
        rows = session.execute(select(Rating.id, Rating.content_hash).where(Rating.id.in_(chunk)))
        found.update({row[0]: row[1] for row in rows})
    return found


def store_ratings(
    session: Session, rows: Sequence[dict[str, Any]]
) -> tuple[set[str], dict[str, str]]:
    """Insert the ratings not yet stored: (ids this call stored, {id: content hash} of those
    stored before). An id in neither was stored meanwhile by a concurrent transaction."""
    if not rows:
        return set(), {}
    if session.get_bind().dialect.name == "postgresql":
        return _store_ratings_pg(session, rows)
    # SQLite: one writer at a time (BEGIN IMMEDIATE), so look first and insert the rest.
    existing = existing_hashes(session, [row["id"] for row in rows])
    fresh = [row for row in rows if row["id"] not in existing]
    if not fresh:
        return set(), existing
    # The writer lock is held since the look-up, so every fresh row goes in: a Core
    # executemany, without the ORM's per-row RETURNING bookkeeping (a third of the ingest).
    session.execute(insert(_RATINGS), fresh)
    return {row["id"] for row in fresh}, existing


_COLUMNS = ", ".join(RATING_COLUMNS)
# The rows travel as one JSON document (orjson makes it in C; psycopg's array adaptation
# ran per element in Python and cost more than the rest of the ingest), typed by the table's
# own row type. Every part of the statement runs in one snapshot: the SELECT from ratings
# sees the rows stored before it, not the ones its own INSERT adds (RETURNING gives those).
_STORE_PG = f"""
WITH incoming AS (
    SELECT {_COLUMNS} FROM json_populate_recordset(NULL::ratings, %s::json)
), inserted AS (
    INSERT INTO ratings ({_COLUMNS}) SELECT {_COLUMNS} FROM incoming
    ON CONFLICT (id) DO NOTHING
    RETURNING id
)
SELECT id, NULL FROM inserted
UNION ALL
SELECT r.id, r.content_hash FROM ratings AS r JOIN incoming AS i ON i.id = r.id
"""


def insert_ratings(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert ratings not yet stored; the ids this call stored."""
    return store_ratings(session, rows)[0]


def _store_ratings_pg(
    session: Session, rows: Sequence[dict[str, Any]]
) -> tuple[set[str], dict[str, str]]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    inserted: set[str] = set()
    existing: dict[str, str] = {}
    with raw.cursor() as cursor:
        cursor.execute(_STORE_PG, (orjson.dumps(rows).decode(),))
        for rating_id, content_hash in cursor.fetchall():
            if content_hash is None:
                inserted.add(rating_id)
            else:
                existing[rating_id] = content_hash
    return inserted, existing


def existing_sessions(session: Session, ids: Collection[str]) -> dict[str, ServiceSession]:
    found: dict[str, ServiceSession] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), _ID_CHUNK):
        chunk = id_list[start : start + _ID_CHUNK]
        found.update(
            {
                s.id: s
                for s in session.scalars(
                    select(ServiceSession).where(ServiceSession.id.in_(chunk)).with_for_update()
                )
            }
        )
    return found


def insert_sessions(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(ServiceSession)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(ServiceSession.id)
    )
    return set(session.scalars(stmt, list(rows)))


def claim_sessions(session: Session, claims: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Claim each (service session, rating) pair: the first rating of a session keeps it
    (a primary key decides, so two transactions at once cannot both win; the loser waits
    for the winner's commit). The owning rating of each session named, after the claim."""
    if not claims:
        return {}
    table = cast(Table, SessionRating.__table__)
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(claims), _ID_CHUNK // 2):
        chunk = claims[start : start + _ID_CHUNK // 2]
        session.execute(
            insert_(table)
            .values([{"session_id": sid, "rating_id": rid} for sid, rid in chunk])
            .on_conflict_do_nothing(index_elements=["session_id"])
        )
    owners: dict[str, str] = {}
    ids = list(dict.fromkeys(sid for sid, _ in claims))
    for start in range(0, len(ids), _ID_CHUNK):
        rows = session.execute(
            select(table.c.session_id, table.c.rating_id).where(
                table.c.session_id.in_(ids[start : start + _ID_CHUNK])
            )
        )
        owners.update({row[0]: row[1] for row in rows})
    return owners


def flag_ratings(session: Session, ids: Collection[str], flag: int) -> None:
    """Add `flag` to the flags of the ratings `ids`."""
    id_list = list(ids)
    for start in range(0, len(id_list), _ID_CHUNK):
        session.execute(
            update(_RATINGS)
            .where(_RATINGS.c.id.in_(id_list[start : start + _ID_CHUNK]))
            .values(flags=_RATINGS.c.flags.op("|")(int(flag)))
        )
