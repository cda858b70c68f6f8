"""Catch-up after an outage: queued ratings through the real client and server on loopback.

    python -m bench sync_catchup [--ratings 10000] [--db sqlite|postgres]
    python -m bench sync_catchup --ratings 10000 --throttle-kbit 64 --rtt-ms 600

Measures the time from the first batch to an empty queue, and the bytes each rating
costs on the wire (gzipped request bodies, as the proxy counts them). The server runs on a
SQLite file (the embedded default) or on a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from kiosk.device import client_factory, enroll_device
from kiosk.store import Store
from tests.support.pgcluster import start_cluster
from tests.support.proxy import FaultProxy
from tests.support.system import LiveServer, fill_store


def run(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench sync_catchup")
    parser.add_argument("--ratings", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--throttle-kbit", type=float, default=None)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    args = parser.parse_args(argv)

    cluster = start_cluster(fast=False) if args.db == "postgres" else None
    try:
        with TemporaryDirectory() as tmp:
            db_url = cluster.create_database("catchup") if cluster else None
            server = LiveServer(Path(tmp), db_url=db_url)
            server.start()
            try:
                with FaultProxy(("127.0.0.1", server.port)) as proxy:
                    store = Store.open(Path(tmp) / "kiosk.sqlite")
                    enroll_device(store, proxy.url, server.enroll_code())
                    print(f"sync_catchup: queueing {args.ratings} ratings", file=sys.stderr)
                    fill_store(store, args.ratings)
                    if args.throttle_kbit:
                        proxy.throttle(args.throttle_kbit * 1000, args.rtt_ms / 1000)
                    client = client_factory(store)
                    assert client is not None
                    up_before, down_before = proxy.bytes_up, proxy.bytes_down
                    batches = 0
                    started = time.perf_counter()
                    while True:
                        result = client.run_once(force=True)
                        if result.state == "idle":
                            break
                        if result.state != "delivered":
                            raise RuntimeError(f"catch-up failed: {result}")
                        batches += 1
                    seconds = time.perf_counter() - started
                    delivered = len(server.ratings())
                    wire = proxy.bytes_up - up_before
                    wire_down = proxy.bytes_down - down_before
                    store.close()
            finally:
                server.stop()
    finally:
        if cluster:
            cluster.stop()
    if delivered != args.ratings:
        raise RuntimeError(f"{delivered} of {args.ratings} ratings reached the server")
    return {
        "db": args.db,
        "ratings": args.ratings,
        "batches": batches,
        "throttle_kbit_s": args.throttle_kbit,
        "rtt_ms": args.rtt_ms,
        "catchup_s": round(seconds, 3),
        "ratings_per_s": round(args.ratings / seconds, 1),
        "wire_bytes_per_rating": round(wire / args.ratings, 2),
        "answer_bytes_per_rating": round(wire_down / args.ratings, 2),
    }
