"""Ratings and their comments for a filter, newest first, paged, with a full-text search
that works for Chinese: SQLite's FTS5 trigram index (migration 0009) for queries of three
characters or more, a LIKE over the filtered ratings for shorter ones (trigrams cannot
index two characters); on PostgreSQL an ILIKE that pg_trgm's GIN index serves.

Comments are shown through `mask_personal_numbers`, and a search only finds what the
masked text shows: nobody can probe for a phone or ID number by searching its digits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    cast,
    column,
    func,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from server.models import SCORE_SCALE, Counter, Hall, Rating, Staff
from server.privacy.masking import mask_personal_numbers
from server.scores.periods import Period
from server.scores.rankings import period_filter
from sync.scoring import DIMENSION_CODES

PAGE_SIZE = 50
MAX_QUERY = 100
#: SQLite only (migration 0009): ratings' comments with an integer key, and their index.
_COMMENTS = table("rating_comments", column("id"), column("rating_id"))


@dataclass(frozen=True)
class RatingFilter:
    halls: Sequence[Hall]
    period: Period
    counter_id: str | None = None
    staff_id: str | None = None
    level: int | None = None
    reason: str | None = None
    channel: str | None = None
    query: str = ""
    #: Only ratings that carry a comment (the Comments page); False lists every rating
    #: behind a figure.
    with_comment: bool = True
    low_only: bool = False


@dataclass(frozen=True)
class RatingLine:
    id: str
    occurred_at: datetime
    counter_id: str
    counter_name: str
    staff_name: str
    level: int
    weighted: Decimal
    reasons: list[str]
    channel: str
    #: The masked comment cut into (text, is_match) pieces; the page escapes each piece.
    pieces: list[tuple[str, bool]]

    @property
    def comment(self) -> str:
        return "".join(text for text, _ in self.pieces)


@dataclass(frozen=True)
class RatingPage:
    lines: list[RatingLine]
    page: int
    has_more: bool


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: A phrase the index finds more often than this is looked for within the filter's own
#: ratings instead: its index (counter, time) bounds the work, where a common phrase's
#: matches from every hall and year would not.
RARE_BELOW = 1000


def _fts_phrase(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def _fts_matches(query: str) -> Any:
    """Ids of the ratings whose comment holds `query` (SQLite's FTS5 trigram index)."""
    return (
        select(_COMMENTS.c.rating_id)
        .where(
            _COMMENTS.c.id.in_(
                select(column("rowid"))
                .select_from(table("ratings_fts"))
                .where(
                    text("ratings_fts MATCH :fts_phrase").bindparams(fts_phrase=_fts_phrase(query))
                )
            )
        )
        .scalar_subquery()
    )


def _rare_in_index(session: Session, query: str) -> bool:
    """Whether the FTS5 index holds fewer than RARE_BELOW comments with `query`."""
    capped = (
        select(column("rowid"))
        .select_from(table("ratings_fts"))
        .where(text("ratings_fts MATCH :fts_phrase").bindparams(fts_phrase=_fts_phrase(query)))
        .limit(RARE_BELOW)
        .subquery()
    )
    found = session.scalar(select(func.count()).select_from(capped)) or 0
    return found < RARE_BELOW


def _trigram_indexable(session: Session, query: str) -> bool:
    """Whether pg_trgm finds a trigram in `query` it could look up in its index."""
    if len(query) < 3:
        return False
    trigrams = session.scalar(select(func.array_length(func.show_trgm(query), 1)))
    return bool(trigrams)


def conditions(session: Session, f: RatingFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [period_filter(f.halls, f.period)]
    if f.counter_id:
        where.append(Rating.counter_id == f.counter_id)
    if f.staff_id:
        where.append(Rating.staff_id == f.staff_id)
    if f.level is not None:
        where.append(Rating.level == f.level)
    if f.low_only:
        where.append(Rating.is_low.is_(True))
    if f.channel:
        where.append(Rating.channel == f.channel)
    if f.reason:
        # Reasons are a JSON list of codes: match the quoted code in its text.
        where.append(cast(Rating.reasons, String).like(_like_pattern(f'"{f.reason}"'), escape="\\"))
    if f.with_comment or f.query:
        # Not `comment <> ''`: PostgreSQL would read that as the trigram index's own
        # predicate and scan every comment of every hall instead of the filter's ratings.
        where.append(func.length(Rating.comment) > 0)
    query = f.query.strip()[:MAX_QUERY]
    if query:
        if session.get_bind().dialect.name == "postgresql":
            if _trigram_indexable(session, query):
                where.append(Rating.comment.ilike(_like_pattern(query), escape="\\"))
            else:
                # No trigram pg_trgm could look up (two characters, or Chinese in a database
                # whose LC_CTYPE is C): an expression the index does not serve, so that the
                # filter's own index (counter, time) leads and only its rows are read.
                where.append(
                    func.lower(Rating.comment).like(_like_pattern(query.lower()), escape="\\")
                )
        elif len(query) >= 3 and _rare_in_index(session, query):
            where.append(Rating.id.in_(_fts_matches(query)))
        else:
            where.append(Rating.comment.like(_like_pattern(query), escape="\\"))
    return where


def _statement(session: Session, f: RatingFilter) -> Select[Any]:
    return (
        select(
            Rating.id,
            Rating.occurred_at,
            Rating.counter_id,
            Counter.name,
            Staff.name,
            Rating.level,
            Rating.weighted_score,
            Rating.reasons,
            Rating.channel,
            Rating.comment,
        )
        .join(Counter, Counter.id == Rating.counter_id)
        .outerjoin(Staff, Staff.id == Rating.staff_id)
        .where(*conditions(session, f))
        .order_by(Rating.occurred_at.desc(), Rating.id.desc())
    )


def pieces_of(comment: str, query: str) -> list[tuple[str, bool]]:
    """`comment` cut around each case-insensitive occurrence of `query`."""
    if not query:
        return [(comment, False)] if comment else []
    lower, needle = comment.lower(), query.lower()
    out: list[tuple[str, bool]] = []
    at = 0
    while True:
        found = lower.find(needle, at)
        if found < 0:
            break
        if found > at:
            out.append((comment[at:found], False))
        out.append((comment[found : found + len(needle)], True))
        at = found + len(needle)
    if at < len(comment):
        out.append((comment[at:], False))
    return out


def _line(row: Any, query: str) -> RatingLine | None:
    masked = mask_personal_numbers(row[9] or "")
    if query and query.lower() not in masked.lower():
        return None  # it matched digits the masked comment hides
    return RatingLine(
        id=row[0],
        occurred_at=row[1],
        counter_id=row[2],
        counter_name=row[3],
        staff_name=row[4] or "",
        level=row[5],
        weighted=Decimal(row[6]) / SCORE_SCALE,
        reasons=[str(r) for r in row[7] or []],
        channel=row[8],
        pieces=pieces_of(masked, query),
    )


def page_of(session: Session, f: RatingFilter, page: int = 1, size: int = PAGE_SIZE) -> RatingPage:
    """Page `page` (from 1) of the filter's ratings, newest first."""
    query = f.query.strip()[:MAX_QUERY]
    rows = session.execute(_statement(session, f).offset((page - 1) * size).limit(size + 1)).all()
    lines = [line for row in rows[:size] if (line := _line(row, query)) is not None]
    return RatingPage(lines=lines, page=page, has_more=len(rows) > size)


def stream_with_stars(
    session: Session, f: RatingFilter, chunk: int = 2000
) -> Iterator[tuple[RatingLine, tuple[int, ...]]]:
    """Every rating of the filter with its stars (DIMENSION_CODES order), newest first,
    read in chunks (exports)."""
    query = f.query.strip()[:MAX_QUERY]
    stars = [getattr(Rating, code) for code in DIMENSION_CODES]
    result = session.execute(
        _statement(session, f)
        .add_columns(*stars)
        .execution_options(yield_per=chunk, stream_results=True)
    )
    for row in result:
        line = _line(row, query)
        if line is not None:
            yield line, tuple(row[10:])
