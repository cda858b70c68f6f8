"""Closing a month: every hall's figures and points computed from the raw ratings and
stored as snapshots; then the report of one hall (PDF and XLSX).

    python -m bench month_close [--db postgres|sqlite] [--ratings 10000000]
        [--staff 20000] [--halls 5] [--counters-per-hall 400] [--sessions 1000000]

The database is filled by itself (INSERT … SELECT over generate_series on PostgreSQL, a
recursive CTE on SQLite; fsync off on the throwaway cluster): `--halls` halls of
`--counters-per-hall` counters, `--staff` staff members spread evenly over the counters,
`--ratings` ratings in May 2026 (about 3% low scores, none answered), `--sessions`
services with handling times and one-visit flags. Then `close_month` runs for every hall,
one transaction each, as `hallrate-server month close 2026-05` does; the figures are the
time of all closes, the slowest hall's, the peak memory of this process (max RSS), and the
time to make one hall's PDF and XLSX report. Targets: 10M ratings and 20,000 staff on
PostgreSQL under 5 minutes; 1M on SQLite under 1 minute; a 400-counter hall's report under
30 seconds. The machine has 2 cores shared with other developers: figures are noisy.

Measured here (2026-12-03, 2 shared cores; wall time, CPU time of this process):
PostgreSQL, 10M ratings, 20,000 staff, 5 halls of 400 counters, 1M sessions: all five
closes 75 s (14 s CPU), slowest hall 16.6 s, peak RSS 572 MiB (with the reports); one
hall's report: data 5.2 s, PDF 23.8 s (7.5 s CPU), XLSX 21.7 s (7.1 s CPU).
SQLite, 1M ratings, 4,000 staff, 400 counters, 200k sessions: close 14.6 s (8.3 s CPU),
peak RSS 472 MiB; report data 7.5 s, PDF 11.9 s, XLSX 6.7 s.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg

from server.database import make_engine, make_session_factory, migrate
from server.models import SCORE_SCALE
from server.months import reports
from server.months.periods import parse_month
from server.months.service import close_month
from server.settings import Settings
from sync.scoring import DEFAULT_CONFIG, DIMENSION_CODES
from tests.support.pgcluster import start_cluster

ALL_RUNS = [["--db", "sqlite", "--ratings", "1000000"], ["--ratings", "1000000"]]
MONTH = "2026-05"
#: May 2026 in Asia/Shanghai, as UTC: [start, start + 31 days).
START = "2026-04-30 16:00:00"
CHUNK = 1_000_000


def _weighted() -> str:
    return " + ".join(
        f"{int(DEFAULT_CONFIG.weights[code] * SCORE_SCALE)} * {code}" for code in DIMENSION_CODES
    )


def _fill_postgres(
    dsn: str, ratings: int, staff: int, halls: int, per_hall: int, sessions: int
) -> None:
    counters = halls * per_hall
    per_counter = max(1, staff // counters)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    stars = ", ".join(
        f"CASE WHEN low THEN 1 + floor(random() * 2)::int "
        f"ELSE (ARRAY[3,4,4,5,5,5])[1 + floor(random() * 6)::int] END AS {code}"
        for code in DIMENSION_CODES
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO halls (id, name, timezone, created_at, active) SELECT 'h' || h, "
            "'大厅 ' || h, 'Asia/Shanghai', %s, true FROM generate_series(1, %s) h",
            (now, halls),
        )
        conn.execute(
            "INSERT INTO counters (id, hall_id, name, created_at, active) SELECT 'c' || c, "
            "'h' || (c / %s + 1), c || '号窗口', %s, true FROM generate_series(0, %s - 1) c",
            (per_hall, now, counters),
        )
        conn.execute(
            "INSERT INTO staff (id, hall_id, counter_id, name, created_at, active) "
            "SELECT 's' || s, 'h' || ((s %% %s) / %s + 1), 'c' || (s %% %s), '员工' || s, %s, "
            "true FROM generate_series(0, %s - 1) s",
            (counters, per_hall, counters, now, per_counter * counters),
        )
        conn.execute(
            "INSERT INTO devices (id, counter_id, token_hash, active, enrolled_at, app_version, "
            "queue_depth, clock_offset_s, clock_flagged, highest_seq, seq_gaps, "
            "ratings_received) SELECT 'd' || c, 'c' || c, md5('t' || c) || md5('u' || c), "
            "true, %s, 'bench', 0, 0, false, 0, '[]', 0 FROM generate_series(0, %s - 1) c",
            (now, counters),
        )
        for first in range(0, ratings, CHUNK):
            last = min(ratings, first + CHUNK) - 1
            started = time.perf_counter()
            conn.execute(
                f"""
                INSERT INTO ratings (id, device_id, counter_id, staff_id, session_id, seq,
                    created_at, occurred_at, received_at, {", ".join(DIMENSION_CODES)},
                    weighted_score, level, is_low, reasons, comment, channel,
                    content_version, content_hash, flags)
                SELECT 'r' || g, 'd' || c, 'c' || c,
                    's' || (c + %(counters)s * ((g / %(counters)s) %% %(pc)s)), NULL, g, at, at,
                    at, {", ".join(DIMENSION_CODES)}, ws, LEAST(5, ws / {SCORE_SCALE}),
                    ws < 30000, '[]', '', 'kiosk', '2024.1', 'h', 0
                FROM (SELECT *, {_weighted()} AS ws FROM (
                    SELECT g, c, at, {stars} FROM (
                        SELECT g, g %% %(counters)s AS c, random() < 0.03 AS low,
                            %(start)s::timestamptz
                                + ((g + 0.5) / %(n)s) * interval '31 days' AS at
                        FROM generate_series(%(first)s, %(last)s) g) base) s) scored
                """,
                {
                    "counters": counters,
                    "pc": per_counter,
                    "start": START + "+00",
                    "n": ratings,
                    "first": first,
                    "last": last,
                },
            )
            print(
                f"month_close: {last + 1} ratings ({time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
            )
        if sessions:
            conn.execute(
                """
                INSERT INTO service_sessions (id, device_id, counter_id, staff_id, ticket,
                    started_at, ended_at, finished_in_one_visit, received_at, content_hash)
                SELECT 'v' || g, 'd' || c, 'c' || c,
                    's' || (c + %(counters)s * ((g / %(counters)s) %% %(pc)s)), NULL, at,
                    at + (2 + floor(random() * 16)) * interval '1 minute', random() < 0.88,
                    at, 'h'
                FROM (SELECT g, g %% %(counters)s AS c,
                    %(start)s::timestamptz + (g::float8 / %(n)s) * interval '30 days' AS at
                    FROM generate_series(0, %(n)s - 1) g) base
                """,
                {"counters": counters, "pc": per_counter, "start": START + "+00", "n": sessions},
            )
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute("VACUUM ANALYZE")


def _fill_sqlite(
    path: Path, ratings: int, staff: int, halls: int, per_hall: int, sessions: int
) -> None:
    counters = halls * per_hall
    per_counter = max(1, staff // counters)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    now = "2026-04-01 00:00:00.000000"
    db.execute(
        "WITH RECURSIVE n(h) AS (SELECT 1 UNION ALL SELECT h + 1 FROM n WHERE h < ?) "
        "INSERT INTO halls (id, name, timezone, created_at, active) "
        "SELECT 'h' || h, '大厅 ' || h, 'Asia/Shanghai', ?, 1 FROM n",
        (halls, now),
    )
    db.execute(
        "WITH RECURSIVE n(c) AS (SELECT 0 UNION ALL SELECT c + 1 FROM n WHERE c < ? - 1) "
        "INSERT INTO counters (id, hall_id, name, created_at, active) "
        "SELECT 'c' || c, 'h' || (c / ? + 1), c || '号窗口', ?, 1 FROM n",
        (counters, per_hall, now),
    )
    db.execute(
        "WITH RECURSIVE n(s) AS (SELECT 0 UNION ALL SELECT s + 1 FROM n WHERE s < ? - 1) "
        "INSERT INTO staff (id, hall_id, counter_id, name, created_at, active) "
        "SELECT 's' || s, 'h' || ((s % ?) / ? + 1), 'c' || (s % ?), '员工' || s, ?, 1 FROM n",
        (per_counter * counters, counters, per_hall, counters, now),
    )
    db.execute(
        "WITH RECURSIVE n(c) AS (SELECT 0 UNION ALL SELECT c + 1 FROM n WHERE c < ? - 1) "
        "INSERT INTO devices (id, counter_id, token_hash, active, enrolled_at, app_version, "
        "queue_depth, clock_offset_s, clock_flagged, highest_seq, seq_gaps, "
        "ratings_received) SELECT 'd' || c, 'c' || c, 'tok' || c, 1, ?, 'bench', 0, 0, 0, "
        "0, '[]', 0 FROM n",
        (counters, now),
    )
    star = "CASE WHEN low THEN 1 + abs(random()) % 2 ELSE (3 + abs(random()) % 3) END"
    stars = ", ".join(f"{star} AS {code}" for code in DIMENSION_CODES)
    start_s = "strftime('%s', '2026-04-30 16:00:00')"
    db.execute(
        f"""
        WITH RECURSIVE n(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM n WHERE g < :n - 1)
        INSERT INTO ratings (id, device_id, counter_id, staff_id, session_id, seq, created_at,
            occurred_at, received_at, {", ".join(DIMENSION_CODES)}, weighted_score, level,
            is_low, reasons, comment, channel, content_version, content_hash, flags)
        SELECT 'r' || g, 'd' || c, 'c' || c, 's' || (c + :counters * ((g / :counters) % :pc)),
            NULL, g, at, at, at, {", ".join(DIMENSION_CODES)}, ws, MIN(5, ws / {SCORE_SCALE}),
            ws < 30000, '[]', '', 'kiosk', '2024.1', 'h', 0
        FROM (SELECT *, {_weighted()} AS ws FROM (
            SELECT g, c, at, {stars} FROM (
                SELECT g, g % :counters AS c, abs(random()) % 100 < 3 AS low,
                    strftime('%Y-%m-%d %H:%M:%S.000000', {start_s} + (g * 2678399 / :n),
                        'unixepoch') AS at
                FROM n) base) s)
        """,
        {"n": ratings, "counters": counters, "pc": per_counter},
    )
    if sessions:
        db.execute(
            f"""
            WITH RECURSIVE n(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM n WHERE g < :n - 1)
            INSERT INTO service_sessions (id, device_id, counter_id, staff_id, ticket,
                started_at, ended_at, finished_in_one_visit, received_at, content_hash)
            SELECT 'v' || g, 'd' || c, 'c' || c,
                's' || (c + :counters * ((g / :counters) % :pc)), NULL, at,
                strftime('%Y-%m-%d %H:%M:%S.000000', at,
                    '+' || (2 + abs(random()) % 16) || ' minutes'),
                abs(random()) % 100 < 88, at, 'h'
            FROM (SELECT g, g % :counters AS c,
                strftime('%Y-%m-%d %H:%M:%S.000000', {start_s} + (g * 2592000 / :n),
                    'unixepoch') AS at
                FROM n) base
            """,
            {"n": sessions, "counters": counters, "pc": per_counter},
        )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench month_close")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--staff", type=int, default=20_000)
    parser.add_argument("--halls", type=int, default=5)
    parser.add_argument("--counters-per-hall", type=int, default=400)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {
        "db": args.db,
        "ratings": args.ratings,
        "staff": args.staff,
        "halls": args.halls,
        "counters": args.halls * args.counters_per_hall,
        "sessions": args.sessions,
    }
    with TemporaryDirectory() as tmp:
        cluster = None
        if args.db == "postgres":
            cluster = start_cluster(fast=True)
            url = cluster.create_database("bench_month")
        else:
            url = f"sqlite:///{Path(tmp) / 'month.db'}"
        try:
            migrate(url)
            started = time.perf_counter()
            sizes = (args.ratings, args.staff, args.halls, args.counters_per_hall, args.sessions)
            if args.db == "postgres":
                _fill_postgres(url.replace("postgresql+psycopg", "postgresql"), *sizes)
            else:
                _fill_sqlite(Path(tmp) / "month.db", *sizes)
            figures["fill_s"] = round(time.perf_counter() - started, 1)
            print(f"month_close: filled in {figures['fill_s']} s", file=sys.stderr)
            settings = Settings(
                environment="test", secret_key="bench-secret-0123456789abcdefXYZ", database_url=url
            )
            engine = make_engine(url)
            factory = make_session_factory(engine)
            now = datetime(2026, 6, 3, tzinfo=UTC)
            rss_before = _rss_mib()
            per_hall: list[float] = []
            started, cpu = time.perf_counter(), time.process_time()
            for h in range(1, args.halls + 1):
                one = time.perf_counter()
                with factory.begin() as session:
                    row = close_month(session, settings, f"h{h}", MONTH, now=now)
                    closed_ratings = row.figures["totals"]["ratings"]
                per_hall.append(time.perf_counter() - one)
                print(
                    f"month_close: h{h} closed, {closed_ratings} ratings, {per_hall[-1]:.1f} s",
                    file=sys.stderr,
                )
            figures["close_all_s"] = round(time.perf_counter() - started, 1)
            figures["close_all_cpu_s"] = round(time.process_time() - cpu, 1)
            figures["close_slowest_hall_s"] = round(max(per_hall), 1)
            figures["peak_rss_mib"] = _rss_mib()
            figures["rss_before_close_mib"] = rss_before
            started = time.perf_counter()
            with factory() as session:
                report = reports.build_report(session, settings, "h1", parse_month(MONTH), now)
            figures["report_data_s"] = round(time.perf_counter() - started, 2)
            started, cpu = time.perf_counter(), time.process_time()
            pdf = reports.hall_report_pdf(report)
            figures["report_pdf_s"] = round(time.perf_counter() - started, 2)
            figures["report_pdf_cpu_s"] = round(time.process_time() - cpu, 2)
            figures["report_pdf_kib"] = len(pdf) // 1024
            started, cpu = time.perf_counter(), time.process_time()
            xlsx = reports.hall_report_xlsx(report)
            figures["report_xlsx_s"] = round(time.perf_counter() - started, 2)
            figures["report_xlsx_cpu_s"] = round(time.process_time() - cpu, 2)
            figures["report_xlsx_kib"] = len(xlsx) // 1024
            figures["report_counters"] = len(report.figures["counters"])
            figures["peak_rss_mib"] = _rss_mib()
            engine.dispose()
        finally:
            if cluster is not None:
                cluster.stop()
    return figures
