"""kill -9 cycles against the kiosk store: no rating lost, none stored twice, no seq gap.

A child process opens the store and records ratings as fast as it can, printing each id once
its transaction has committed. The parent kills it with SIGKILL at a random moment, again
and again, then checks the file: every printed id is stored exactly once with its outbox
row, `seq` runs 1..N without a gap, and `PRAGMA integrity_check` says ok.

    python -m bench store_crash [--cycles 1000]      # the benchmark
    python -m bench.store_crash --child PATH          # the child (used by the parent)

The crash test in tests/kiosk/store runs the same cycles, fewer of them.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

READY = "ready"
SCORES = ("attitude", "efficiency", "process", "environment", "overall")


def child(path: Path) -> None:
    """Record ratings forever, printing each id after its commit."""
    from kiosk.store import Store

    store = Store.open(path)
    out = sys.stdout
    out.write(READY + "\n")
    out.flush()
    rng = random.Random(os.getpid())
    while True:
        scores = {code: rng.randint(1, 5) for code in SCORES}
        rec = store.record_rating(
            counter_id="c-01", scores=scores, reasons=["wait_long"], comment="耐心细致"
        )
        out.write(rec.id + "\n")
        out.flush()


@dataclass
class CrashReport:
    cycles: int = 0
    printed: list[str] = field(default_factory=list)
    killed_during_start: int = 0
    seconds: float = 0.0


def run_cycles(path: Path, cycles: int, *, seed: int = 1, max_delay_s: float = 0.05) -> CrashReport:
    """Start the child on `path` and SIGKILL it at a random moment, `cycles` times."""
    rng = random.Random(seed)
    report = CrashReport()
    started = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for cycle in range(cycles):
        with subprocess.Popen(
            [sys.executable, "-m", "bench.store_crash", "--child", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        ) as proc:
            assert proc.stdout is not None
            # One cycle in ten dies while opening (integrity check, migrations).
            if rng.random() < 0.1:
                time.sleep(rng.uniform(0, 0.4))
                report.killed_during_start += 1
            else:
                first = proc.stdout.readline().decode().strip()
                if first != READY:
                    proc.kill()
                    raise RuntimeError(f"cycle {cycle}: child failed to start (said {first!r})")
                time.sleep(rng.uniform(0, max_delay_s))
            proc.send_signal(signal.SIGKILL)
            rest = proc.stdout.read().decode()
        lines = rest.split("\n")
        # The last piece has no newline: the child died mid-line and that id may be partial.
        report.printed.extend(line for line in lines[:-1] if line and line != READY)
        report.cycles += 1
        if (cycle + 1) % 100 == 0:
            print(f"store_crash: {cycle + 1}/{cycles} cycles", file=sys.stderr, flush=True)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class StoreCheck:
    integrity: str
    stored: int
    printed: int
    lost: list[str]
    duplicated_ids: list[str]
    seq_gaps: list[int]
    outbox_mismatch: int


def check_store(path: Path, printed: list[str]) -> StoreCheck:
    """What the file holds against what the child said it had committed."""
    with closing(sqlite3.connect(path)) as conn:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        ids = [r[0] for r in conn.execute("SELECT id FROM ratings")]
        seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM ratings"))
        outbox_mismatch = conn.execute(
            "SELECT (SELECT count(*) FROM ratings r LEFT JOIN outbox o ON o.item_id = r.id "
            "        WHERE o.item_id IS NULL)"
            "     + (SELECT count(*) FROM outbox o LEFT JOIN ratings r ON r.id = o.item_id "
            "        WHERE o.kind = 'rating' AND r.id IS NULL)"
        ).fetchone()[0]
    stored = Counter(ids)
    printed_counts = Counter(printed)
    gaps = [n for n in range(1, (seqs[-1] if seqs else 0) + 1) if n not in set(seqs)]
    return StoreCheck(
        integrity=integrity,
        stored=len(ids),
        printed=len(printed),
        lost=[i for i in printed_counts if stored[i] == 0],
        duplicated_ids=[i for i, n in stored.items() if n > 1]
        + [i for i, n in printed_counts.items() if n > 1],
        seq_gaps=gaps[:20],
        outbox_mismatch=outbox_mismatch,
    )


def run(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench store_crash")
    parser.add_argument("--cycles", type=int, default=1000)
    args = parser.parse_args(argv)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "kiosk.sqlite"
        report = run_cycles(path, args.cycles)
        check = check_store(path, report.printed)
    return {
        "kill9_cycles": report.cycles,
        "killed_during_start": report.killed_during_start,
        "ratings_committed_printed": check.printed,
        "ratings_stored": check.stored,
        "ratings_lost": len(check.lost),
        "ratings_duplicated": len(check.duplicated_ids),
        "seq_gaps": len(check.seq_gaps),
        "outbox_mismatch": check.outbox_mismatch,
        "integrity_check": check.integrity,
        "cycle_mean_ms": round(report.seconds / max(report.cycles, 1) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store_crash")
    parser.add_argument("--child", type=Path, required=True)
    args = parser.parse_args()
    child(args.child)


if __name__ == "__main__":
    main()
