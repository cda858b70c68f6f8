"""The background job that deletes call-back contacts past their retention period."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.privacy.contacts import purge_expired_contacts
from server.settings import Settings

log = logging.getLogger(__name__)


def purge_once(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    with factory.begin() as session:
        return purge_expired_contacts(
            session, now or datetime.now(UTC), settings.contact_retention_days
        )


async def run_forever(factory: sessionmaker[Session], settings: Settings) -> None:
    while True:
        try:
            await run_in_threadpool(purge_once, factory, settings)
        except SQLAlchemyError as exc:
            log.warning("retention pass failed: %s", type(exc).__name__)
        await asyncio.sleep(settings.retention_interval_s)
