"""`hallrate-counter`: the staff PC's command and tray app for halls without a queue system.

    hallrate-counter [--kiosk URL] [--key KEY] COMMAND

The kiosk's address and key come from the options, else from HALLRATE_COUNTER_KIOSK and
HALLRATE_COUNTER_KEY. Commands: `start [--ticket T] [--matter CODE]` when a citizen sits
down; `rate [--outcome O]` (请评价) when the service ends: finishes it and invites the
citizen to rate on the kiosk; `finish --outcome O`; `cancel`; `sign-in STAFF`; `sign-out`;
`status`; `tray` for the tray icon with the same actions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from kiosk.counterclient import OUTCOMES, CounterClient, CounterError

KIOSK_ENV = "HALLRATE_COUNTER_KIOSK"
KEY_ENV = "HALLRATE_COUNTER_KEY"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hallrate-counter",
        description="Start and finish service sessions on this counter's kiosk.",
    )
    parser.add_argument("--kiosk", help=f"the kiosk's queue API address (or ${KIOSK_ENV})")
    parser.add_argument("--key", help=f"the kiosk's queue API key (or ${KEY_ENV})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("start", help="a citizen sits down: start a service session")
    p.add_argument("--ticket", help="the queue ticket, e.g. A017")
    p.add_argument("--matter", help="the matter's code from the hall's catalog")
    p = sub.add_parser("rate", help="请评价: finish the service and invite the rating")
    p.add_argument("--outcome", choices=OUTCOMES, default="one_visit")
    p.add_argument("--ticket", help="the ticket, when no session was started")
    p = sub.add_parser("finish", help="finish the service (invites the rating)")
    p.add_argument("--outcome", choices=OUTCOMES, required=True)
    sub.add_parser("cancel", help="cancel the session under way (no rating)")
    p = sub.add_parser("sign-in", help="sign in at the counter (staff id or badge number)")
    p.add_argument("staff")
    sub.add_parser("sign-out", help="sign out: the counter shows as closed")
    sub.add_parser("status", help="who is on duty and the session under way, as JSON")
    sub.add_parser("tray", help="the tray icon with these actions")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    kiosk = args.kiosk or os.environ.get(KIOSK_ENV)
    key = args.key or os.environ.get(KEY_ENV)
    if not kiosk or not key:
        print(
            f"hallrate-counter: give the kiosk's address and key (--kiosk, --key, or "
            f"${KIOSK_ENV}, ${KEY_ENV})",
            file=sys.stderr,
        )
        return 2
    client = CounterClient(kiosk, key)
    if args.command == "tray":
        from kiosk.ui.counter_tray import run_tray

        return run_tray(client)
    try:
        if args.command == "start":
            session = client.start(args.ticket, args.matter)
            print(f"session {session['id']} started (ticket {session.get('ticket') or '-'})")
        elif args.command == "rate":
            session = client.please_rate(args.outcome, args.ticket)
            print(f"session {session['id']} finished ({args.outcome}); the kiosk invites a rating")
        elif args.command == "finish":
            session = client.finish(args.outcome)
            print(f"session {session['id']} finished ({args.outcome}); the kiosk invites a rating")
        elif args.command == "cancel":
            session = client.cancel()
            print(f"session {session['id']} cancelled")
        elif args.command == "sign-in":
            staff = client.sign_in(args.staff)
            print(f"{staff['name']} ({staff['id']}) signed in")
        elif args.command == "sign-out":
            client.sign_out()
            print("signed out: the counter shows as closed")
        else:
            print(json.dumps(client.status(), ensure_ascii=False, indent=2))
    except CounterError as exc:
        print(f"hallrate-counter: {exc.message} [{exc.code}]", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
