"""`make demo`: the kiosk, windowed, on a local store under the repository's var/."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.__main__ import main

DATA_DIR = Path(__file__).resolve().parents[1] / "var" / "demo-kiosk"


def demo() -> int:
    print(f"kiosk demo: store in {DATA_DIR}; admin PIN 123456 (hold the hall logo 5 s)")
    return main(["--windowed", "--data-dir", str(DATA_DIR), *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(demo())
