"""The kiosk's durable local store (SQLite through SQLAlchemy 2.0, migrated by Alembic)."""

from kiosk.store.database import OpenReport
from kiosk.store.errors import (
    InvalidRatingError,
    SessionError,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
)
from kiosk.store.store import OutboxEntry, RecordedRating, Store, StoreStatus

__all__ = [
    "InvalidRatingError",
    "OpenReport",
    "OutboxEntry",
    "RecordedRating",
    "SessionError",
    "Store",
    "StoreError",
    "StoreFullError",
    "StoreReadOnlyError",
    "StoreStatus",
]
