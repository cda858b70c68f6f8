"""Engine, sessions and migrations.

SQLite runs in WAL mode with synchronous=FULL: the server acknowledges a rating only after
its commit, so the commit must survive power loss. pysqlite's own transaction handling is
switched off (it would run SELECTs outside any transaction); we emit BEGIN ourselves, and
write requests begin IMMEDIATE so that two writers queue on the busy timeout instead of
failing when one upgrades its read lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Execution option naming the SQLite BEGIN mode of a connection's next transaction.
SQLITE_BEGIN = "hallrate_sqlite_begin"


def make_engine(url: str, *, pool_size: int = 10, single_use: bool = False) -> Engine:
    """An engine for a `sqlite:///file` or `postgresql+psycopg://` URL.

    `single_use` closes connections when they are returned (migrations, CLI commands).
    """
    parsed = make_url(url)
    pooling: dict[str, Any] = {"poolclass": NullPool} if single_use else {}
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pooling
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if not single_use:
            pooling = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
        return create_engine(url, **pooling)
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser would treat '%' in a password as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating a SQLite file if needed)."""
    command.upgrade(alembic_config(url), revision)


def is_migrated(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite)."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: committed before the response is sent, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


# scope="function": commit before the response is sent, so that a 200 means stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
