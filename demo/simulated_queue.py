"""A hall's queue system (叫号), simulated: it calls citizens to a kiosk's counter through
the kiosk's real queue API and ends each service with an outcome, as a queue vendor's
system would (docs/queue-api.md).

    python -m demo.simulated_queue --kiosk URL --key KEY [--every 8] [--count N]

Each service takes a few seconds here (a demo cannot wait the matter's real minutes); most
end in one visit, some need another visit or are referred, a few are cancelled (no-shows).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from types import FrameType

from kiosk.counterclient import CounterClient, CounterError

#: How services end, with their weights (a hall with a queue system: mostly one visit).
OUTCOMES = (("one_visit", 84), ("another_visit", 9), ("referred", 4), ("cancel", 3))


class _Stop:
    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def pick_outcome(rng: random.Random) -> str:
    return rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]


def serve_one(client: CounterClient, rng: random.Random, ticket: str, service_s: float) -> str:
    """Call `ticket`, serve for `service_s` seconds, end it; what the end was."""
    matters = [m["code"] for m in client.status().get("matters", [])]
    client.start(ticket=ticket, matter=rng.choice(matters) if matters else None)
    time.sleep(service_s)
    outcome = pick_outcome(rng)
    if outcome == "cancel":
        client.cancel()
    else:
        client.finish(outcome)
    return outcome


def run(client: CounterClient, every_s: float, count: int | None, seed: int | None) -> int:
    rng = random.Random(seed)
    stop = _Stop()
    served = 0
    while not stop.requested and (count is None or served < count):
        ticket = f"{rng.choice('ABC')}{served % 1000:03d}"
        try:
            # An earlier run may have left a session open: the queue system closes it.
            if client.status().get("open_session"):
                client.cancel()
            outcome = serve_one(client, rng, ticket, max(0.5, rng.uniform(0.3, 0.7) * every_s))
        except CounterError as exc:
            print(f"simulated queue: {exc.message} [{exc.code}]", file=sys.stderr, flush=True)
            time.sleep(2.0)
            continue
        served += 1
        print(f"simulated queue: ticket {ticket} served -> {outcome}", flush=True)
        deadline = time.monotonic() + every_s * rng.uniform(0.4, 0.8)
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(0.1)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.simulated_queue", description=__doc__)
    parser.add_argument("--kiosk", required=True, help="the kiosk's queue API address")
    parser.add_argument("--key", required=True, help="the kiosk's queue API key")
    parser.add_argument("--every", type=float, default=8.0, help="seconds per citizen")
    parser.add_argument("--count", type=int, help="stop after this many services")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    client = CounterClient(args.kiosk, args.key)
    # The kiosk may still be starting: wait for its API a little.
    for _ in range(60):
        try:
            client.status()
            break
        except CounterError:
            time.sleep(0.5)
    try:
        return run(client, args.every, args.count, args.seed)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
