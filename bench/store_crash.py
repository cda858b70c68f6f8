"""kill -9 cycles against the kiosk store (tests/support/crash.py runs them): no rating lost,
none stored twice, no seq gap, the file intact.

    python -m bench store_crash [--cycles 1000]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from tempfile import TemporaryDirectory

from tests.support.crash import check_store, run_cycles


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
