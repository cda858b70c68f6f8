"""Opening the store's SQLite file: integrity check, corrupt-file quarantine, migrations.

The file is opened in WAL mode with synchronous=FULL (a committed rating survives power
loss) and foreign keys on. Writes take the lock up front (`BEGIN IMMEDIATE`) so that reading
the next `seq` and inserting the rating cannot interleave with another writer.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from kiosk.store.errors import StoreError, StoreFullError, StoreReadOnlyError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def translate_error(exc: BaseException) -> StoreError:
    """The typed store error for an SQLite failure (full disk, read-only file, ...)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    name = getattr(orig, "sqlite_errorname", "")
    text = str(orig)
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return StoreFullError(f"the store is full: {text}")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return StoreReadOnlyError(f"the store cannot be written: {text}")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return StoreReadOnlyError(f"the store's file cannot be opened: {text}")
    return StoreError(f"the store failed: {text}")


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn SQLite failures raised inside the block into typed store errors."""
    try:
        yield
    except DBAPIError as exc:
        raise translate_error(exc) from exc
    except sqlite3.Error as exc:
        raise translate_error(exc) from exc


def make_engine(path: Path, *, immediate: bool) -> Engine:
    """An engine on the store file; `immediate` makes every transaction a write transaction."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event below decide how transactions start.
        dbapi_conn.isolation_level = None
        for pragma in PRAGMAS:
            dbapi_conn.execute(pragma)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass(frozen=True)
class OpenReport:
    """What opening the store found and did, for the log and the admin screen."""

    created: bool
    quarantined: Path | None
    backup: Path | None
    migrated_from: str | None
    revision: str


_CORRUPTION = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def check_integrity(path: Path) -> str | None:
    """None when the file passes `PRAGMA quick_check`, otherwise what is wrong with it.

    Only damage counts: a file that cannot be opened or written (a read-only disk, a full
    one) raises its typed error instead, and is never moved aside.
    """
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith(_CORRUPTION):
            return str(exc)
        raise translate_error(exc) from exc
    result = "; ".join(str(r[0]) for r in rows[:5])
    return None if result == "ok" else result


def quarantine(path: Path, problem: str) -> Path:
    """Move a corrupt store (and its WAL) aside under a timestamped name; never delete it."""
    target = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{_stamp()}-{n}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    log.critical(
        "STORE CORRUPT: %s failed its integrity check (%s); moved aside to %s and a fresh "
        "store started. Ratings in the old file are kept there for recovery.",
        path,
        problem,
        target,
    )
    return target


def backup_copy(path: Path, label: str) -> Path:
    """A consistent copy of the store (SQLite backup API, WAL included) next to it."""
    target = path.with_name(f"{path.name}.{label}-{_stamp()}.bak")
    with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def _alembic_config(connection: Any) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(path: Path) -> str | None:
    """The Alembic revision the file is at, read without loading Alembic (start-up cost)."""
    if not path.exists():
        return None
    with closing(sqlite3.connect(path)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    return None if row is None else str(row[0])


#: The newest migration in migrations/versions. Start-up compares the file against this
#: instead of loading Alembic (half a second on a kiosk); a test checks it is Alembic's head.
SCHEMA_REVISION = "0002"


def prepare(path: Path) -> OpenReport:
    """Check, quarantine if corrupt, back up and migrate the store file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    quarantined: Path | None = None
    if path.exists() and path.stat().st_size > 0:
        problem = check_integrity(path)
        if problem is not None:
            quarantined = quarantine(path, problem)
    created = not path.exists()

    head = SCHEMA_REVISION
    backup: Path | None = None
    current = None
    with translated_errors():
        current = current_revision(path)
        if current != head:
            if not created and current is not None:
                backup = backup_copy(path, f"pre-migration-{current}")
                log.info("store %s: copied to %s before migrating from %s", path, backup, current)
            from alembic import command

            engine = make_engine(path, immediate=False)
            try:
                with engine.begin() as conn:
                    command.upgrade(_alembic_config(conn), "head")
            finally:
                engine.dispose()
            log.info("store %s: migrated from %s to %s", path, current or "empty", head)
    return OpenReport(
        created=created,
        quarantined=quarantined,
        backup=backup,
        migrated_from=current if current != head else None,
        revision=head,
    )
