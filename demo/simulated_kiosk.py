"""A kiosk without a screen: it rates now and then and syncs through the real path.

`make demo` runs it where there is no display (over ssh, in CI) so that ratings keep
arriving at the server exactly as a counter's kiosk sends them: each rating goes into a
kiosk store (rating and outbox row in one transaction) and `SyncClient.run_once()` delivers
it. Each line it prints names one rating and the page where it can be followed.

With `--queue-port` it runs the kiosk's real queue API (kiosk.queueapi) on loopback instead,
for `demo.simulated_queue` to drive: each service the queue finishes is rated by its
citizen most of the time (not always: a hall's participation rate is below 100%), with the
session's id, and the session reaches the server whether rated or not.

    python -m demo.simulated_kiosk --data-dir DIR --server URL --code CODE [--every 5]
    python -m demo.simulated_kiosk --data-dir DIR --server URL --queue-port P --queue-key K
"""

from __future__ import annotations

import argparse
import queue
import random
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from kiosk.config import KioskConfig, Staff
from kiosk.desk import DeskEvent, ServiceDesk
from kiosk.device import client_factory, enroll_device, enrolled_device
from kiosk.links import StoreLinks
from kiosk.queueapi import QueueApi
from kiosk.store import Store
from sync.protocol import Outcome
from sync.scoring import DEFAULT_CONFIG, is_low_score, weighted_score

#: Settings key where the simulated kiosk keeps its last rating's receipt code, so the
#: demo can print a receipt page that works.
LAST_RECEIPT = "demo.last_receipt"

#: Reasons a citizen picks for a low score (the kiosk's default list).
LOW_REASONS = ("long_wait", "unclear_guidance", "rude")
#: Share of served citizens who rate when invited.
RATES_WHEN_INVITED = 0.85


def _scores(rng: random.Random, low: bool) -> dict[str, int]:
    mean = 2.0 if low else 4.4
    return {d: max(1, min(5, round(rng.gauss(mean, 0.7)))) for d in DEFAULT_CONFIG.dimension_codes}


class _Stop:
    """SIGTERM ends the loop between two ratings, like Ctrl+C does."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def run(store: Store, counter_id: str, every_s: float, count: int | None, seed: int | None) -> int:
    rng = random.Random(seed)
    client = client_factory(store)
    if client is None:
        print("simulated kiosk: not enrolled", file=sys.stderr)
        return 2
    links = StoreLinks(store)
    stop = _Stop()
    made = 0
    while not stop.requested and (count is None or made < count):
        low = rng.random() < 0.12
        scores = _scores(rng, low)
        rating = store.record_rating(
            counter_id=counter_id,
            scores=scores,
            staff_id=f"{counter_id}-s1",
            reasons=rng.sample(LOW_REASONS, 1) if is_low_score(weighted_score(scores)) else (),
        )
        made += 1
        result = client.run_once(force=True)
        store.set_setting(LAST_RECEIPT, rating.receipt)
        follow = links.receipt_url(rating.receipt) or "(no public address yet)"
        print(
            f"simulated kiosk {counter_id}: rating {rating.seq} scored {rating.weighted_score} "
            f"-> {result.status}; follow it at {follow}",
            flush=True,
        )
        deadline = time.monotonic() + every_s
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(0.1)
    return 0


def run_with_queue(store: Store, counter_id: str, port: int, key: str, seed: int | None) -> int:
    """Serve the queue API and rate the services it finishes, as citizens would."""
    rng = random.Random(seed)
    client = client_factory(store)
    if client is None:
        print("simulated kiosk: not enrolled", file=sys.stderr)
        return 2
    config = KioskConfig(counter_id=counter_id, staff=_staff(counter_id))
    desk = ServiceDesk(store, lambda: config)
    finished: queue.Queue[DeskEvent] = queue.Queue()
    desk.subscribe(lambda e: finished.put(e) if e.kind == "finished" else None)
    api = QueueApi(desk, "127.0.0.1", port, key)
    api.start()
    links = StoreLinks(store)
    stop = _Stop()
    try:
        while not stop.requested:
            try:
                event = finished.get(timeout=0.2)
            except queue.Empty:
                continue
            session = event.session
            assert session is not None
            rating = None
            if session.outcome != Outcome.CANCELLED and rng.random() < RATES_WHEN_INVITED:
                low = rng.random() < 0.12
                scores = _scores(rng, low)
                rating = store.record_rating(
                    counter_id=counter_id,
                    scores=scores,
                    staff_id=session.staff_id,
                    session_id=session.id,
                    reasons=rng.sample(LOW_REASONS, 1)
                    if is_low_score(weighted_score(scores))
                    else (),
                )
                store.set_setting(LAST_RECEIPT, rating.receipt)
            result = client.run_once(force=True)
            if rating is None:
                print(
                    f"simulated kiosk {counter_id}: ticket {session.ticket} {session.outcome}, "
                    f"not rated -> {result.status}",
                    flush=True,
                )
                continue
            follow = links.receipt_url(rating.receipt) or "(no public address yet)"
            print(
                f"simulated kiosk {counter_id}: rating {rating.seq} scored "
                f"{rating.weighted_score} -> {result.status}; follow it at {follow} "
                f"(ticket {session.ticket}, {session.outcome})",
                flush=True,
            )
    finally:
        api.stop()
    return 0


def _staff(counter_id: str) -> Staff:
    return Staff(id=f"{counter_id}-s1", name=f"职员 {counter_id}", number=f"{counter_id}-s1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.simulated_kiosk", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--server", required=True, help="the server's address")
    parser.add_argument("--code", help="an enrollment code, the first time")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between ratings")
    parser.add_argument("--count", type=int, help="stop after this many ratings")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--queue-port", type=int, help="serve the queue API on this port")
    parser.add_argument("--queue-key", help="the queue API's key")
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(args.data_dir / "kiosk.sqlite")
    try:
        if enrolled_device(store) is None:
            if not args.code:
                parser.error("this kiosk is not enrolled yet: give --code")
            enroll_device(store, args.server, args.code)
        device = enrolled_device(store)
        assert device is not None
        if args.queue_port:
            if not args.queue_key:
                parser.error("--queue-port needs --queue-key")
            return run_with_queue(
                store, device.counter_id, args.queue_port, args.queue_key, args.seed
            )
        return run(store, device.counter_id, args.every, args.count, args.seed)
    except KeyboardInterrupt:
        return 130
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
