"""Fixtures: every database test runs against SQLite and a real, throwaway PostgreSQL.

The PostgreSQL cluster is started once per test session (initdb in a temporary folder, a
free loopback port) and removed at the end; PostgreSQL tests share one migrated database
whose tables are emptied before each test, SQLite tests each get a copy of a migrated file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.app import create_app
from server.database import make_engine, make_session_factory, migrate
from server.enrollment import service as enrollment
from server.halls import service as halls
from server.models import Base, Role
from server.settings import Settings
from server.users import service as users
from sync.protocol import EnrollRequest
from tests.support.pgcluster import PgCluster, start_cluster

SECRET = "test-secret-0123456789abcdef"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = start_cluster(fast=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_cluster: PgCluster) -> str:
    """One migrated database for the session; each test starts from emptied tables."""
    url = pg_cluster.create_database("hallrate_test")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


_TABLES = ", ".join(t.name for t in Base.metadata.sorted_tables)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "hallrate.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    # Emptying tables takes a twentieth of the time of cloning a template database.
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE")
    return url


#: For tests of request validation: the server refuses such a request before any storage
#: behaviour, so they run once, on SQLite; storage behaviour runs on both databases.
validation_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Cheap password hashing: the cost is a deployment choice, not what these tests check.
    return Settings(
        environment="test",
        secret_key=SECRET,
        database_url=db_url,
        password_time_cost=1,
        password_memory_kib=64,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine, run_escalation=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@dataclass(frozen=True)
class Hall:
    """A hall with two counters (c1, c2), a device enrolled on c1, a second hall with c9,
    and one user of each role."""

    hall_id: str
    counter_id: str
    other_counter_id: str
    device_id: str
    token: str
    foreign_counter_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def hall(factory: sessionmaker[Session], settings: Settings) -> Hall:
    now = datetime.now(UTC)
    with factory.begin() as session:
        halls.add_hall(session, "h1", "First hall", "Asia/Shanghai", now)
        halls.add_counter(session, "h1", "c1", "Counter 1", now)
        halls.add_counter(session, "h1", "c2", "Counter 2", now)
        halls.add_hall(session, "h2", "Second hall", "Asia/Shanghai", now)
        halls.add_counter(session, "h2", "c9", "Counter 9", now)
        code = enrollment.make_code(session, "c1", settings, now).code
        answer = enrollment.enroll(
            session, EnrollRequest(code=code, app_version="1.0"), settings, now
        )
        hasher = users.hasher_for(settings)
        users.create_user(session, "admin", PASSWORD, Role.ADMIN, None, now, hasher)
        users.create_user(session, "super1", PASSWORD, Role.SUPERVISOR, "h1", now, hasher)
        users.create_user(session, "super2", PASSWORD, Role.SUPERVISOR, "h2", now, hasher)
        users.create_user(session, "auditor", PASSWORD, Role.AUDITOR, None, now, hasher)
    return Hall("h1", "c1", "c2", answer.device_id, answer.token, "c9")


def enroll_device(
    factory: sessionmaker[Session], settings: Settings, counter_id: str
) -> tuple[str, str]:
    """Enroll a device for `counter_id`; its (device id, token)."""
    now = datetime.now(UTC)
    with factory.begin() as session:
        code = enrollment.make_code(session, counter_id, settings, now).code
        answer = enrollment.enroll(
            session, EnrollRequest(code=code, app_version="1.0"), settings, now
        )
    return answer.device_id, answer.token


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
