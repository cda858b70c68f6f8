"""`hallrate-kiosk`: the touchscreen kiosk at a service counter."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.config import ConfigError, load_config


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "hallrate-kiosk"


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError("size is WIDTHxHEIGHT, e.g. 800x480") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hallrate-kiosk", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the store lives")
    parser.add_argument(
        "--windowed", action="store_true", help="a normal window instead of kiosk mode (dev)"
    )
    parser.add_argument(
        "--simulate",
        type=int,
        default=0,
        metavar="N",
        help="drive the real widgets with taps to submit N ratings, then exit",
    )
    parser.add_argument("--size", type=_size, help="window size WIDTHxHEIGHT (with --windowed)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.simulate < 0:
        parser.error("--simulate needs a count of 0 or more")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"hallrate-kiosk: {exc}", file=sys.stderr)
        return 2
    # Imported after parsing so that --help and config errors do not pay for Qt.
    from kiosk.app import exit_now, run

    code = run(
        config,
        args.data_dir or default_data_dir(),
        windowed=args.windowed,
        simulate=args.simulate,
        size=args.size,
    )
    exit_now(code)
    return code  # not reached


if __name__ == "__main__":
    sys.exit(main())
