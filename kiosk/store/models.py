"""Tables of the kiosk's local store (SQLAlchemy 2.0 declarative, migrated by Alembic)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Rating(Base):
    """A citizen's rating exactly as submitted at this kiosk."""

    __tablename__ = "ratings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUIDv7
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # per device: 1, 2, 3, ... no gaps
    counter_id: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[str] = mapped_column(String(40))  # RFC 3339 with the device's offset
    created_ts: Mapped[float] = mapped_column(Float)  # the same instant, epoch seconds
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    weighted_score: Mapped[str] = mapped_column(String(16))  # exact decimal as text
    reasons: Mapped[list[str]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    content_version: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_ratings_counter_time", "counter_id", "created_ts"),
        Index("ix_ratings_session_id", "session_id"),
    )


class ServiceSession(Base):
    """One service of one citizen at this counter."""

    __tablename__ = "service_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter_id: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str | None] = mapped_column(String(64))
    ticket: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[str] = mapped_column(String(40))
    ended_at: Mapped[str | None] = mapped_column(String(40))
    finished_in_one_visit: Mapped[bool | None] = mapped_column(Boolean)
    matter_code: Mapped[str | None] = mapped_column(String(40))
    #: sync.protocol.Outcome, once ended.
    outcome: Mapped[str | None] = mapped_column(String(16))
    #: `started_at` and `ended_at` as epoch seconds, for finding the current session.
    started_ts: Mapped[float | None] = mapped_column(Float)
    ended_ts: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_service_sessions_counter_ended", "counter_id", "ended_ts"),)


class OutboxItem(Base):
    """Delivery state of one rating or session: pending -> in_flight -> delivered | dead.

    `position` orders the outbox oldest first; `payload` is the protocol v1 JSON sent as is,
    so what was stored is exactly what is delivered.
    """

    __tablename__ = "outbox"

    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # "rating" | "session"
    item_id: Mapped[str] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    updated_ts: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_outbox_state_position", "state", "position"),)


class ServerScore(Base):
    """The counter scores the server sent last (protocol `counter_scores`)."""

    __tablename__ = "server_scores"

    counter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_ts: Mapped[float] = mapped_column(Float)


class ServerAlert(Base):
    """An open alert the server sent for this counter."""

    __tablename__ = "server_alerts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    counter_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_ts: Mapped[float] = mapped_column(Float)


class Setting(Base):
    """Device settings and state (enrollment, counter, staff on duty, ...), JSON values."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
