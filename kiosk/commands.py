"""`hallrate-kiosk` commands that need no screen: enroll, sync, export, import-receipt, status.

They work on the same store as the running kiosk (SQLite serialises the writers), so an IT
person can run them over SSH, and a hall that never connects can carry its ratings out on
a USB stick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.device import client_factory, enroll_device, sync_status
from kiosk.offline import OfflineError, export_bundle, import_receipt
from kiosk.store import Store, StoreError
from sync.enroll import EnrollmentError

COMMANDS = ("enroll", "sync", "export", "import-receipt", "status")
STORE_FILE = "kiosk.sqlite"


def _enroll(store: Store, args: argparse.Namespace) -> int:
    identity = enroll_device(store, args.server, args.code)
    print(
        f"enrolled as device {identity['device_id']} for counter {identity['counter']['id']} "
        f"({identity['counter']['name']}) of {identity['hall']['name']}"
    )
    return 0


def _sync(store: Store, args: argparse.Namespace) -> int:
    client = client_factory(store)
    if client is None:
        print("hallrate-kiosk: not enrolled; run `hallrate-kiosk enroll` first", file=sys.stderr)
        return 2
    store.requeue_in_flight()
    delivered = dead = 0
    while True:
        result = client.run_once(force=True)
        delivered += result.delivered
        dead += result.dead
        if result.state != "delivered":
            break
        print(f"  batch: {result.delivered} delivered, {result.dead} dead", file=sys.stderr)
    print(f"sync: {delivered} delivered, {dead} dead letters, stopped with {result.state}")
    if result.error:
        print(f"last error: {result.error}")
    return 0 if result.state == "idle" else 1


def _export(store: Store, args: argparse.Namespace) -> int:
    path, count = export_bundle(store, args.to)
    print(f"exported {count} undelivered items to {path}")
    return 0


def _import_receipt(store: Store, args: argparse.Namespace) -> int:
    outcome = import_receipt(store, args.file)
    print(
        f"receipt applied: {outcome.delivered} delivered, {outcome.dead} dead letters, "
        f"{outcome.unknown} already delivered or unknown"
    )
    return 0


def _status(store: Store, args: argparse.Namespace) -> int:
    status = sync_status(store)
    stored = store.status()
    print(f"ratings stored: {stored.ratings}")
    print(f"enrolled: {'yes, with ' + str(status.server_url) if status.enrolled else 'no'}")
    if status.must_enroll_again:
        print("the server refused this device: enroll it again")
    print(f"waiting to upload: {status.pending}")
    print(f"dead letters: {status.dead}")
    print(f"last error: {status.last_error or 'none'}")
    return 0


def run(argv: list[str], default_data_dir: Path) -> int:
    parser = argparse.ArgumentParser(prog="hallrate-kiosk", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("enroll", help="enroll this kiosk with a one-time code")
    p.add_argument("--server", required=True, help="server address, e.g. https://rating.example")
    p.add_argument("--code", required=True, help="the enrollment code made for the counter")
    p.set_defaults(func=_enroll)
    p = sub.add_parser("sync", help="send everything pending now")
    p.set_defaults(func=_sync)
    p = sub.add_parser("export", help="write undelivered ratings to a bundle for USB transport")
    p.add_argument("--to", type=Path, required=True, help="folder to write the bundle into")
    p.set_defaults(func=_export)
    p = sub.add_parser("import-receipt", help="mark what the server's receipt took as delivered")
    p.add_argument("file", type=Path)
    p.set_defaults(func=_import_receipt)
    p = sub.add_parser("status", help="what the store holds and what waits to be sent")
    p.set_defaults(func=_status)
    args = parser.parse_args(argv)
    func: Callable[[Store, argparse.Namespace], int] = args.func
    try:
        store = Store.open(args.data_dir / STORE_FILE)
    except StoreError as exc:
        print(f"hallrate-kiosk: {exc.message}", file=sys.stderr)
        return 2
    try:
        return func(store, args)
    except (EnrollmentError, OfflineError, StoreError) as exc:
        print(f"hallrate-kiosk: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    finally:
        store.close()
