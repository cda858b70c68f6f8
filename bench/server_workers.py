"""Sync throughput against worker processes: `hallrate-server serve --workers N` on PostgreSQL.

    python -m bench server_workers [--workers 1,2,4] [--devices 32] [--clients 2]
        [--threads 4] [--seconds 15] [--repeat 1]

For each N the real server runs on a fresh database of one throwaway PostgreSQL cluster
with durable settings (fsync on); `--devices` kiosks are enrolled, and `--clients` processes
of `--threads` threads post gzipped batches of 500 new ratings for `--seconds` (the clients
and batches of bench/server_ingest.py: prepared before the clock starts, gap-free seq).
Figures: accepted ratings/s and request p50/p99 per N, and the speed-up over one worker.

What it can and cannot say: the clients, the server and PostgreSQL share this machine's
cores (2 here, shared with other work), so past the core count more workers only add
contention. On a real deployment PostgreSQL has its own machine and the API nodes theirs;
this measures how far one node's workers carry before the node or the database is the
limit, which is what docs/operator.md's "How a province scales" quotes.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.server_ingest import BATCH, _enroll, _phase  # its cheap prepared-batch senders
from tests.support.pgcluster import start_cluster
from tests.support.system import LiveServer


def run(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench server_workers")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--devices", type=int, default=32, help="enrolled kiosks")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count (median)")
    parser.add_argument(
        "--budget", type=float, default=20_000, help="ratings/s to prepare batches for"
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    if args.devices < args.clients * args.threads:
        parser.error("--devices must be at least --clients x --threads")
    per_device = max(1, math.ceil(args.budget * args.seconds / BATCH / args.devices))

    figures: dict[str, object] = {
        "db": "postgres",
        "cpu_count": os.cpu_count(),
        "devices": args.devices,
        "client_threads": args.clients * args.threads,
        "batch": BATCH,
        "seconds": args.seconds,
    }
    rates: dict[int, float] = {}
    cluster = start_cluster(fast=False)
    try:
        with TemporaryDirectory() as tmp:
            for n in counts:
                db_url = cluster.create_database(f"workers_{n}")
                root = Path(tmp) / f"workers-{n}"
                root.mkdir()
                server = LiveServer(root, db_url=db_url, workers=n)
                print(
                    f"server_workers: {n} workers, enrolling {args.devices} kiosks", file=sys.stderr
                )
                devices = _enroll(server, args.devices)
                server.start()
                try:
                    runs = []
                    for _ in range(args.repeat):
                        phase = _phase(
                            f"{server.url}/api/v1/sync",
                            devices,
                            args.clients,
                            args.threads,
                            "new",
                            {},
                            per_device,
                            args.seconds,
                        )
                        if phase.failures:
                            print(
                                f"server_workers: {n} workers: failures {phase.failures}",
                                file=sys.stderr,
                            )
                        runs.append(phase)
                finally:
                    server.stop()
                rate = statistics.median(r.ratings_per_s for r in runs)
                rates[n] = rate
                figures[f"workers_{n}_ratings_per_s"] = round(rate, 1)
                figures[f"workers_{n}_p50_ms"] = statistics.median(r.p50_ms for r in runs)
                figures[f"workers_{n}_p99_ms"] = statistics.median(r.p99_ms for r in runs)
                figures[f"workers_{n}_failed_requests"] = sum(
                    sum(r.failures.values()) for r in runs
                )
                print(f"server_workers: {n} workers: {rate:.0f} ratings/s", file=sys.stderr)
    finally:
        cluster.stop()
    if counts and counts[0] in rates and rates[counts[0]] > 0:
        for n in counts[1:]:
            figures[f"speedup_{n}_vs_{counts[0]}"] = round(rates[n] / rates[counts[0]], 2)
    return figures
