"""Alembic environment of the kiosk store. The store runs it in process on its own
connection (`config.attributes["connection"]`); `render_as_batch` lets SQLite alter tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kiosk.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # Developer use (`alembic -c kiosk/store/alembic.ini revision --autogenerate`).
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///var/kiosk-dev.sqlite"
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
