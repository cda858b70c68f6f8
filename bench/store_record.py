"""record_rating() latency against raw sqlite3 doing the same two inserts per transaction.

Both write to a store file made by the same migrations, with the same PRAGMAs (WAL,
synchronous=FULL, foreign keys), one rating and its outbox row per transaction.

    python -m bench store_record [--ratings 10000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import time
import uuid
from contextlib import closing
from pathlib import Path
from tempfile import TemporaryDirectory

from kiosk.store import Store
from kiosk.store.database import PRAGMAS
from sync.scoring import DIMENSION_CODES


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ordered = sorted(samples_s)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 4)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "p999_ms": at(0.999)}


def scores_for(i: int) -> dict[str, int]:
    return {code: 1 + (i * 7 + n * 3) % 5 for n, code in enumerate(DIMENSION_CODES)}


def time_store(path: Path, n: int) -> list[float]:
    store = Store.open(path)
    samples = []
    try:
        for i in range(n):
            started = time.perf_counter()
            store.record_rating(
                counter_id="c-01", staff_id="s-7", scores=scores_for(i), reasons=["wait_long"]
            )
            samples.append(time.perf_counter() - started)
    finally:
        store.close()
    return samples


def time_raw(path: Path, n: int) -> list[float]:
    """The floor: the same rows, prepared in advance, through the bare sqlite3 module."""
    Store.open(path).close()  # the same schema, made by the same migrations
    rows = []
    for i in range(n):
        rid = str(uuid.uuid4())
        scores = scores_for(i)
        payload = json.dumps({"id": rid, "seq": i + 1, "scores": scores, "pad": "x" * 200})
        rows.append((rid, i + 1, json.dumps(scores), payload))
    samples = []
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for pragma in PRAGMAS:
            conn.execute(pragma)
        for rid, seq, scores_json, payload in rows:
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT max(seq) FROM ratings").fetchone()
            conn.execute(
                "INSERT INTO ratings (id, seq, counter_id, staff_id, session_id, created_at, "
                "created_ts, scores, weighted_score, reasons, comment, channel, content_version) "
                "VALUES (?, ?, 'c-01', 's-7', NULL, '2026-11-23T09:30:00.000+08:00', "
                "1795404600.0, ?, '3.35', '[\"wait_long\"]', '', 'kiosk', '2024.1')",
                (rid, seq, scores_json),
            )
            conn.execute(
                "INSERT INTO outbox (kind, item_id, state, payload, size, attempts, updated_ts) "
                "VALUES ('rating', ?, 'pending', ?, ?, 0, 1795404600.0)",
                (rid, payload, len(payload)),
            )
            conn.execute("COMMIT")
            samples.append(time.perf_counter() - started)
    return samples


def run(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench store_record")
    parser.add_argument("--ratings", type=int, default=10_000)
    args = parser.parse_args(argv)
    with TemporaryDirectory() as tmp:
        raw = time_raw(Path(tmp) / "raw.sqlite", args.ratings)
        ours = time_store(Path(tmp) / "store.sqlite", args.ratings)
    ours_p, raw_p = percentiles(ours), percentiles(raw)
    return {
        "ratings": args.ratings,
        **{f"record_{k}": v for k, v in ours_p.items()},
        **{f"raw_{k}": v for k, v in raw_p.items()},
        "ratio_p50_vs_raw": round(ours_p["p50_ms"] / raw_p["p50_ms"], 2),
        "ratio_p99_vs_raw": round(ours_p["p99_ms"] / raw_p["p99_ms"], 2),
        "ratings_per_s": round(len(ours) / sum(ours), 1),
        "mean_ms": round(statistics.fmean(ours) * 1000, 4),
    }
