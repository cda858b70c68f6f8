"""Run benchmarks: `python -m bench NAME [args]`, `python -m bench all`, `python -m bench --list`.

A benchmark is a module `bench/<name>.py` with `run(argv: list[str]) -> dict[str, object]`.
It may print progress to stderr; the runner prints its figures as one JSON line on stdout,
with units in the key names (`p99_ms`, `ratings_per_s`, `ratio_vs_raw`).

`all` runs each benchmark with its defaults, or, where the module has `ALL_RUNS` (a list of
argument lists), once per entry: a smaller size where the full one takes too long for
`make bench`, or both databases.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

# The kiosk benchmarks draw offscreen unless a platform is asked for: they run on machines
# without a display, and a compositor would only add noise to the figures.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def run_one(name: str, argv: list[str]) -> dict[str, object]:
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    figures: dict[str, object] = module.run(argv)
    result: dict[str, object] = {"bench": name, **figures}
    result["wall_s"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", nargs="?", help="benchmark to run, or 'all'")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    args, rest = parser.parse_known_args()
    names = available()
    if args.list or not args.name:
        print("\n".join(names))
        return 0
    if args.name == "all":
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            for argv in getattr(module, "ALL_RUNS", [[]]):
                run_one(name, list(argv))
        return 0
    if args.name not in names:
        print(f"unknown benchmark {args.name!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    run_one(args.name, rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
