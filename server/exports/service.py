"""Ratings, rankings and alerts for a filter as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX, written row by row so that memory stays flat whatever the size.

Every file starts with what it holds: the kind, the filter and when it was made (UTC),
then an empty row, then the header and the rows. The console and the CLI both call
`export_rows` and a writer below; both record the export in the audit log.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit import service as audit
from server.models import Alert, Counter, Hall, User
from server.scores import comments, rankings
from server.scores.comments import RatingFilter
from server.scores.periods import Period
from sync.scoring import DIMENSION_CODES, ScoringConfig


class ExportKind(StrEnum):
    RATINGS = "ratings"
    RANKINGS = "rankings"
    ALERTS = "alerts"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportRequest:
    kind: ExportKind
    fmt: ExportFormat
    halls: Sequence[Hall]
    period: Period
    counter_id: str | None = None
    staff_id: str | None = None
    subject: rankings.Subject = rankings.Subject.COUNTER

    def describe(self) -> dict[str, str]:
        """The filter, as the file and the audit log record it."""
        out = {
            "kind": self.kind.value,
            "format": self.fmt.value,
            "halls": ",".join(h.id for h in self.halls),
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
        }
        if self.counter_id:
            out["counter"] = self.counter_id
        if self.staff_id:
            out["staff"] = self.staff_id
        if self.kind is ExportKind.RANKINGS:
            out["subject"] = self.subject.value
        return out

    def filename(self) -> str:
        return (
            f"hallrate-{self.kind.value}-{self.period.first.isoformat()}"
            f"-{self.period.last.isoformat()}.{self.fmt.value}"
        )


def _num(value: Any) -> Any:
    return None if value is None else round(float(value), 4)


def export_rows(
    session: Session, request: ExportRequest, config: ScoringConfig, made_at: datetime
) -> Iterator[list[Any]]:
    """The file's rows: the preamble, an empty row, the header, then the data."""
    yield ["hallrate export", request.kind.value]
    for key, value in request.describe().items():
        yield [key, value]
    yield ["generated_at", made_at.isoformat()]
    yield []
    zones = {h.id: ZoneInfo(h.timezone) for h in request.halls}
    if request.kind is ExportKind.RATINGS:
        yield [
            "rating_id", "occurred_at_local", "counter_id", "counter", "staff", *DIMENSION_CODES,
            "weighted_score", "level", "reasons", "channel", "comment_masked",
        ]  # fmt: skip
        hall_of: dict[str, str] = {
            cid: hid
            for cid, hid in session.execute(
                select(Counter.id, Counter.hall_id).where(
                    Counter.hall_id.in_([h.id for h in request.halls])
                )
            )
        }
        filt = RatingFilter(
            halls=request.halls,
            period=request.period,
            counter_id=request.counter_id,
            staff_id=request.staff_id,
            with_comment=False,
        )
        for line in comments.stream_with_stars(session, filt):
            rating, stars = line
            zone = zones.get(hall_of.get(rating.counter_id, ""), ZoneInfo("UTC"))
            yield [
                rating.id,
                rating.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                rating.counter_id,
                rating.counter_name,
                rating.staff_name,
                *stars,
                float(rating.weighted),
                rating.level,
                " ".join(rating.reasons),
                rating.channel,
                rating.comment,
            ]
    elif request.kind is ExportKind.RANKINGS:
        ranked = rankings.ranking(session, request.halls, request.period, request.subject, config)
        yield [
            "rank", "id", "name", "hall", "bayesian_mean", "mean", "count",
            "satisfaction_rate", "low_rate", *(f"{c}_mean" for c in DIMENSION_CODES),
            "small_sample",
        ]  # fmt: skip
        for row in ranked.rows:
            agg = row.aggregate
            means = agg.dimension_means
            yield [
                row.rank,
                row.key,
                row.name,
                row.hall_name,
                _num(row.shrunk_mean),
                _num(agg.mean),
                agg.count,
                _num(agg.satisfaction_rate),
                _num(agg.low_rate),
                *(_num(means.get(c)) for c in DIMENSION_CODES),
                "yes" if row.small_sample else "no",
            ]
    else:
        yield [
            "alert_id", "kind", "state", "counter_id", "counter", "created_at_local",
            "due_at_local", "acknowledged_at_local", "closed_at_local", "cause", "escalated",
        ]  # fmt: skip
        for hall in request.halls:
            start, end = request.period.utc_bounds(hall.timezone)
            zone = zones[hall.id]
            query = (
                select(Alert, Counter.name)
                .join(Counter, Counter.id == Alert.counter_id)
                .where(
                    Counter.hall_id == hall.id,
                    Alert.created_at >= start,
                    Alert.created_at < end,
                )
                .order_by(Alert.created_at, Alert.id)
            )
            if request.counter_id:
                query = query.where(Alert.counter_id == request.counter_id)

            def local(moment: datetime | None, zone: ZoneInfo = zone) -> str:
                return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

            for alert, counter_name in session.execute(
                query.execution_options(yield_per=2000)
            ).tuples():
                yield [
                    alert.id,
                    alert.kind,
                    alert.state,
                    alert.counter_id,
                    counter_name,
                    local(alert.created_at),
                    local(alert.due_at),
                    local(alert.acknowledged_at),
                    local(alert.closed_at),
                    alert.cause or "",
                    "yes" if alert.escalated else "no",
                ]


#: A cell starting with one of these is a formula to Excel: a citizen's comment must not be.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(rows: Iterator[list[Any]], rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, in chunks of encoded rows; text that Excel would run as a
    formula is prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff".encode()
    pending = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Iterator[list[Any]], path: Path) -> int:
    """Write `rows` to an XLSX file at `path` (constant memory); the number of rows."""
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "tmpdir": str(path.parent), "strings_to_urls": False}
    )
    try:
        sheet = workbook.add_worksheet("export")
        count = 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    # Never a formula: text from citizens stays text.
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
            count = r + 1
    finally:
        workbook.close()
    return count


def xlsx_chunks(rows: Iterator[list[Any]], chunk: int = 256 * 1024) -> Iterator[bytes]:
    """The XLSX file of `rows`, written to a temporary file, then read out in chunks."""
    folder = tempfile.mkdtemp(prefix="hallrate-export-")
    path = Path(folder) / "export.xlsx"
    try:
        write_xlsx(rows, path)
        with path.open("rb") as source:
            while data := source.read(chunk):
                yield data
    finally:
        if path.exists():
            path.unlink()
        os.rmdir(folder)


def chunks(rows: Iterator[list[Any]], fmt: ExportFormat) -> Iterator[bytes]:
    return csv_chunks(rows) if fmt is ExportFormat.CSV else xlsx_chunks(rows)


def write_file(rows: Iterator[list[Any]], fmt: ExportFormat, out: BinaryIO) -> None:
    for data in chunks(rows, fmt):
        out.write(data)


def record_export(
    session: Session,
    request: ExportRequest,
    at: datetime,
    user: User | None = None,
    username: str | None = None,
) -> None:
    """Who exported what, in the audit log (the caller commits)."""
    audit.record(
        session,
        user=user,
        username=username,
        action=f"export.{request.kind.value}",
        at=at,
        object_type="export",
        object_id=request.kind.value,
        hall_id=request.halls[0].id if len(request.halls) == 1 else None,
        after=request.describe(),
    )
