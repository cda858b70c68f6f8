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
from sync.scoring import DEFAULT_CONFIG, ScoringConfig

log = logging.getLogger(__name__)


def escalate_once(
    factory: sessionmaker[Session],
    now: datetime | None = None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> int:
    """One pass in its own transaction; how many alerts went up a level."""
    with factory.begin() as session:
        count = service.escalate_overdue(session, now or datetime.now(UTC), config)
    if count:
        metrics.ALERTS_ESCALATED.inc(count)
        log.info("escalated %d overdue alerts", count)
    return count


async def run_forever(
    factory: sessionmaker[Session], interval_s: float, config: ScoringConfig = DEFAULT_CONFIG
) -> None:
    while True:
        try:
            await run_in_threadpool(escalate_once, factory, None, config)
        except SQLAlchemyError as exc:
            # A locked or unreachable database: the next pass tries again.
            log.warning("escalation pass failed: %s", type(exc).__name__)
        await asyncio.sleep(interval_s)
