"""The background job that escalates overdue alerts up the chain and warns of near
deadlines, every few seconds per worker.

Several workers may run it at once: the UPDATE is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server import metrics
from server.alerts import service
from server.audit import chain
from server.content.service import scoring_in_force
from server.settings import Settings
from sync.scoring import DEFAULT_CONFIG

log = logging.getLogger(__name__)


def escalate_once(
    factory: sessionmaker[Session],
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """One pass in its own transaction, with the scoring content in force; how many alerts
    went up a level."""
    with factory.begin() as session:
        config = scoring_in_force(session, settings) if settings else DEFAULT_CONFIG
        count = service.escalate_overdue(session, now or datetime.now(UTC), config)
    if count:
        metrics.ALERTS_ESCALATED.inc(count)
        log.info("escalated %d overdue alerts", count)
    return count


def seal_once(factory: sessionmaker[Session], now: datetime | None = None) -> int:
    """Seal the days of received ratings that are over (server/audit/chain.py)."""
    with factory.begin() as session:
        count = chain.seal_days(session, now or datetime.now(UTC))
    if count:
        log.info("sealed %d days of received ratings", count)
    return count


async def run_forever(
    factory: sessionmaker[Session], interval_s: float, settings: Settings | None = None
) -> None:
    while True:
        try:
            await run_in_threadpool(escalate_once, factory, None, settings)
            await run_in_threadpool(seal_once, factory)
        except SQLAlchemyError as exc:
            # A locked or unreachable database: the next pass tries again.
            log.warning("escalation pass failed: %s", type(exc).__name__)
        await asyncio.sleep(interval_s)
