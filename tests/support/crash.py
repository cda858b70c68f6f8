"""kill -9 cycles against the kiosk store: no rating lost, none stored twice, no seq gap.

A child process (forked from a server that has imported the store once) opens the store and
records ratings as fast as it can, printing each id once
its transaction has committed. The parent kills it with SIGKILL at a random moment, again
and again, then checks the file: every printed id is stored exactly once with its outbox
row, `seq` runs 1..N without a gap, and `PRAGMA integrity_check` says ok.

    python -m tests.support.crash --fork-server PATH   # forks the children (used by the parent)

The benchmark (`python -m bench store_crash`) and the crash test in tests/kiosk/store run
these cycles, the test fewer of them.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READY = "ready"
#: The counter the sessions child serves at.
SESSION_COUNTER = "c01"
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


def reconcile_sessions(store: Any, out: Any = None) -> None:
    """What a restarted kiosk (and its queue system) does with sessions a kill left
    behind: an open session is finished, a finished one awaiting its rating gets it."""
    from datetime import datetime, timedelta

    from sync.protocol import Outcome

    left_open = store.open_session(SESSION_COUNTER)
    if left_open is not None:
        store.finish_session(left_open.id, Outcome.ONE_VISIT)
        if out is not None:
            out.write(f"F {left_open.id}\n")
            out.flush()
    waiting = store.session_awaiting_rating(
        SESSION_COUNTER, datetime.now().astimezone() - timedelta(days=1)
    )
    if waiting is not None:
        rec = store.record_rating(
            counter_id=SESSION_COUNTER,
            staff_id=waiting.staff_id,
            session_id=waiting.id,
            scores=dict.fromkeys(SCORES, 4),
        )
        if out is not None:
            out.write(f"R {waiting.id} {rec.id}\n")
            out.flush()


def session_child(path: Path) -> None:
    """Serve citizens forever: start a session, finish it, rate it, printing each step
    after its commit; a restart first reconciles what the last kill left."""
    from kiosk.store import Store
    from sync.protocol import Outcome

    store = Store.open(path)
    out = sys.stdout
    out.write(READY + "\n")
    out.flush()
    reconcile_sessions(store, out)
    n = 0
    while True:
        n += 1
        session = store.start_session(
            counter_id=SESSION_COUNTER, staff_id="s-001", ticket=f"A{n % 1000:03d}"
        )
        out.write(f"S {session.id}\n")
        out.flush()
        store.finish_session(session.id, Outcome.ONE_VISIT)
        out.write(f"F {session.id}\n")
        out.flush()
        rec = store.record_rating(
            counter_id=SESSION_COUNTER,
            staff_id="s-001",
            session_id=session.id,
            scores=dict.fromkeys(SCORES, 5),
        )
        out.write(f"R {session.id} {rec.id}\n")
        out.flush()


@dataclass
class CrashReport:
    cycles: int = 0
    printed: list[str] = field(default_factory=list)
    killed_during_start: int = 0
    seconds: float = 0.0


class _ForkServer:
    """A process that has imported the store once and forks each cycle's child from it.

    A fresh interpreter per cycle spent most of a cycle importing SQLAlchemy; a fork of
    a single-threaded process that has done so starts in milliseconds. The child is still
    a process of its own, writing the store until SIGKILL ends it. Its lines go to a file
    (write and flush per line, so what it printed survives the kill as a pipe's would).
    """

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash", "--fork-server", str(path)],
            # From the checkout's root, wherever the caller runs: tests/ is not installed.
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def _ask(self, line: str) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the fork server died (exit {self.process.wait()})")
        return answer

    def start_child(self, out: Path, mode: str = "ratings") -> int:
        return int(self._ask(f"fork {out} {mode}"))

    def reap(self, pid: int) -> None:
        self._ask(f"reap {pid}")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def fork_server(path: Path) -> None:
    """Fork a store-writing child per `fork OUT` line; `reap PID` waits for one to end."""
    import kiosk.store  # noqa: F401  (imported once here, inherited by every child)
    import sync.protocol  # noqa: F401

    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "fork":
            arg, _, mode = arg.partition(" ")
            pid = os.fork()
            if pid == 0:
                with open(arg, "w", encoding="utf-8") as out:
                    sys.stdout = out
                    try:
                        (session_child if mode == "sessions" else child)(path)
                    finally:
                        os._exit(1)
            print(pid, flush=True)
        elif command == "reap":
            os.waitpid(int(arg), 0)
            print("reaped", flush=True)


def _wait_for_line(out: Path, pid: int, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = out.read_text(encoding="utf-8") if out.exists() else ""
        if "\n" in text:
            return text.split("\n", 1)[0]
        time.sleep(0.002)  # a file has no readiness signal to await
    os.kill(pid, signal.SIGKILL)
    raise RuntimeError("the child did not start within 30 s")


def run_cycles(
    path: Path,
    cycles: int,
    *,
    seed: int = 1,
    max_delay_s: float = 0.05,
    mode: str = "ratings",
) -> CrashReport:
    """Start the child on `path` and SIGKILL it at a random moment, `cycles` times.
    `mode` "sessions" runs the service-session child (`session_child`)."""
    rng = random.Random(seed)
    report = CrashReport()
    started = time.perf_counter()
    server = _ForkServer(path)
    out = path.with_name(path.name + ".child-output")
    try:
        for cycle in range(cycles):
            out.unlink(missing_ok=True)
            pid = server.start_child(out, mode)
            # One cycle in ten dies while opening (integrity check, migrations).
            if rng.random() < 0.1:
                time.sleep(rng.uniform(0, 0.1))
                report.killed_during_start += 1
            else:
                first = _wait_for_line(out, pid)
                if first != READY:
                    os.kill(pid, signal.SIGKILL)
                    raise RuntimeError(f"cycle {cycle}: child failed to start (said {first!r})")
                time.sleep(rng.uniform(0, max_delay_s))
            os.kill(pid, signal.SIGKILL)
            server.reap(pid)
            lines = out.read_text(encoding="utf-8").split("\n") if out.exists() else [""]
            # The last piece has no newline: the child died mid-line and that id may be partial.
            report.printed.extend(line for line in lines[:-1] if line and line != READY)
            report.cycles += 1
            if (cycle + 1) % 100 == 0:
                print(f"store_crash: {cycle + 1}/{cycles} cycles", file=sys.stderr, flush=True)
    finally:
        server.close()
        out.unlink(missing_ok=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.crash")
    parser.add_argument("--fork-server", type=Path, required=True)
    args = parser.parse_args()
    fork_server(args.fork_server)


if __name__ == "__main__":
    main()
