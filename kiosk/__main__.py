"""`hallrate-kiosk`: the touchscreen kiosk at a service counter."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kiosk import commands
from kiosk.commands import COMMANDS
from kiosk.config import ConfigError, load_config


def _xdg_dir(variable: str, fallback: str) -> Path:
    """An XDG base directory: the variable when set to an absolute path, else the default."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


def default_data_dir() -> Path:
    """Where the store lives: $XDG_DATA_HOME/hallrate-kiosk (~/.local/share/hallrate-kiosk)."""
    return _xdg_dir("XDG_DATA_HOME", ".local/share") / "hallrate-kiosk"


def default_config_file() -> Path | None:
    """$XDG_CONFIG_HOME/hallrate-kiosk/kiosk.toml (~/.config/...) when it exists."""
    path = _xdg_dir("XDG_CONFIG_HOME", ".config") / "hallrate-kiosk" / "kiosk.toml"
    return path if path.is_file() else None


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError("size is WIDTHxHEIGHT, e.g. 800x480") from None


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if "--self-test" in args_in:
        # Imported only here: it sets the offscreen platform before Qt starts.
        from kiosk.app import exit_now
        from kiosk.selftest import main as self_test

        exit_now(self_test(args_in))
    if (args_in and args_in[0] in COMMANDS) or (
        len(args_in) > 2 and args_in[0] == "--data-dir" and args_in[2] in COMMANDS
    ):
        return commands.run(args_in, default_data_dir())
    parser = argparse.ArgumentParser(
        prog="hallrate-kiosk",
        description=__doc__,
        epilog="Commands without a screen: " + ", ".join(COMMANDS) + " (each has --help).",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML configuration file (default: ~/.config/hallrate-kiosk/kiosk.toml if present)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the store lives (default: ~/.local/share/hallrate-kiosk)",
    )
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
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check every part offscreen in a temporary folder, then exit "
        "(with --server URL --code CODE also enroll and sync once)",
    )
    args = parser.parse_args(args_in)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.simulate < 0:
        parser.error("--simulate needs a count of 0 or more")
    try:
        config = load_config(args.config or default_config_file())
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
