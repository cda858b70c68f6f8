"""The month job: closes months past their delay, re-measures rectified counters, and
makes the scheduled reports (each closed month's, each past week's and quarter's summary)
into `report_dir`, where the console lists them for download.

Several workers may run it at once: a month is closed once (the unique key refuses a
second close, whose transaction is rolled back), and a report file is written under a
temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.content.service import scoring_in_force
from server.database import begin_write
from server.months import rectification, reports, repository, service
from server.months.periods import Period, month_of, quarter_of, week_of
from server.settings import Settings

log = logging.getLogger(__name__)

_NAME = re.compile(
    r"^(?P<hall>[A-Za-z0-9_.-]+)_(?P<period>\d{4}-(?:\d{2}|W\d{2}|Q[1-4]))\.(?P<fmt>pdf|xlsx)$"
)


@dataclass(frozen=True)
class StoredReport:
    hall_id: str
    period: str
    fmt: str
    path: Path
    size: int


def report_path(settings: Settings, hall_id: str, period: str, fmt: str) -> Path:
    return settings.report_dir / f"{hall_id}_{period}.{fmt}"


def stored_reports(settings: Settings, hall_id: str) -> list[StoredReport]:
    """The scheduled reports kept for a hall, newest period first."""
    if not settings.report_dir.is_dir():
        return []
    found = []
    for path in settings.report_dir.iterdir():
        match = _NAME.match(path.name)
        if match and match["hall"] == hall_id:
            found.append(
                StoredReport(hall_id, match["period"], match["fmt"], path, path.stat().st_size)
            )
    return sorted(found, key=lambda r: (r.period, r.fmt), reverse=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _make_reports(
    session: Session, settings: Settings, hall_id: str, period: Period, now: datetime
) -> int:
    """Both formats of a period's hall report, unless kept already; how many were made."""
    wanted = [
        fmt
        for fmt in ("pdf", "xlsx")
        if not report_path(settings, hall_id, period.label, fmt).exists()
    ]
    if not wanted:
        return 0
    report = reports.build_report(session, settings, hall_id, period, now)
    for fmt in wanted:
        data = reports.hall_report_pdf(report) if fmt == "pdf" else reports.hall_report_xlsx(report)
        _write_atomically(report_path(settings, hall_id, period.label, fmt), data)
    return len(wanted)


def run_once(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """One pass; counts of what it did."""
    now = now or datetime.now(UTC)
    done = {"closed": 0, "remeasured": 0, "reports": 0}
    with factory() as session:
        due = service.months_due_for_closing(session, settings, now)
    for hall_id, month in due:
        try:
            with factory.begin() as session:
                begin_write(session)
                service.close_month(session, settings, hall_id, month, now=now, by_name="auto")
            done["closed"] += 1
            log.info("closed %s of hall %s", month, hall_id)
        except (IntegrityError, service.MonthError):
            pass  # another worker closed it first
    with factory.begin() as session:
        begin_write(session)
        done["remeasured"] = len(
            rectification.remeasure(session, scoring_in_force(session, settings), now)
        )
    with factory() as session:
        for hall in repository.halls(session):
            today = now.astimezone(ZoneInfo(hall.timezone)).date()
            periods = [week_of(today).previous(), quarter_of(today).previous()]
            closed = {row.month for row in repository.closed_months(session, hall.id)}
            last_month = month_of(today).previous()
            if last_month.label in closed:
                periods.append(last_month)
            zone = ZoneInfo(hall.timezone)
            for period in periods:
                if period.bounds(zone)[1] <= hall.created_at:
                    continue  # the hall did not exist then
                done["reports"] += _make_reports(session, settings, hall.id, period, now)
    return done


async def run_forever(factory: sessionmaker[Session], settings: Settings) -> None:
    while True:
        # The first pass waits one interval: a server starting up serves first.
        await asyncio.sleep(settings.month_job_interval_s)
        try:
            await run_in_threadpool(run_once, factory, settings)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("month job failed: %s", type(exc).__name__)
