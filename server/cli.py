"""`hallrate-server`: set up, run and administer the central scoring server."""

from __future__ import annotations

import argparse
import copy
import getpass
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.database import is_migrated, make_engine, make_session_factory, migrate
from server.settings import Settings, SettingsError


class CliError(Exception):
    """A failure to report in one line and exit 2."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    try:
        return Settings(**overrides)
    except (ValidationError, SettingsError) as exc:
        raise CliError(f"bad settings: {exc}") from None


def _engine(settings: Settings, *, need_schema: bool = True) -> Engine:
    engine = make_engine(settings.database_url, single_use=True)
    try:
        migrated = is_migrated(engine)
    except OperationalError as exc:
        raise CliError(f"cannot open the database: {exc.orig}") from None
    if need_schema and not migrated:
        raise CliError("the database is not initialised; run `hallrate-server init` first")
    return engine


def _in_transaction(settings: Settings, work: Callable[[Session], object]) -> object:
    engine = _engine(settings)
    try:
        with make_session_factory(engine).begin() as session:
            return work(session)
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_init(args: argparse.Namespace) -> None:
    settings = _settings(args)
    _engine(settings, need_schema=False).dispose()
    migrate(settings.database_url)
    print("database ready")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = _settings(args)
    _engine(settings).dispose()
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Must be set before any worker imports prometheus_client.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hallrate-metrics-")
    if args.database_url:
        os.environ["HALLRATE_DATABASE_URL"] = args.database_url
    # Workers are fresh processes: our loggers are configured through uvicorn's dictConfig.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        log_config=log_config,
        access_log=not args.no_access_log,
        loop="uvloop",
        http="httptools",
    )


def cmd_hall_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_hall

    settings = _settings(args)
    _in_transaction(
        settings,
        lambda s: add_hall(
            s, args.id, args.name, args.timezone or settings.default_timezone, _now()
        ),
    )
    print(f"hall {args.id} added")


def cmd_counter_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_counter

    _in_transaction(
        _settings(args), lambda s: add_counter(s, args.hall, args.id, args.name, _now())
    )
    print(f"counter {args.id} added to hall {args.hall}")


def cmd_staff_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_staff

    _in_transaction(
        _settings(args), lambda s: add_staff(s, args.hall, args.id, args.name, args.counter, _now())
    )
    print(f"staff member {args.id} added to hall {args.hall}")


def cmd_user_add(args: argparse.Namespace) -> None:
    from server.models import Role
    from server.users.service import create_user, hasher_for

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if password != getpass.getpass("again: "):
            raise CliError("the passwords differ")
    settings = _settings(args)
    _in_transaction(
        settings,
        lambda s: create_user(
            s, args.username, password, Role(args.role), args.hall, _now(), hasher_for(settings)
        ),
    )
    print(f"user {args.username} ({args.role}) added")


def cmd_enroll_code(args: argparse.Namespace) -> None:
    from server.enrollment.service import IssuedCode, make_code

    settings = _settings(args)
    issued = _in_transaction(settings, lambda s: make_code(s, args.counter, settings, _now()))
    assert isinstance(issued, IssuedCode)
    print(f"enrollment code for counter {issued.counter_id}: {issued.code}")
    print(f"one use only; expires {issued.expires_at.isoformat(timespec='minutes')}")
    if not args.no_qr:
        import qrcode

        qr = qrcode.QRCode(border=2)
        qr.add_data(issued.code)
        qr.make(fit=True)
        qr.print_ascii(out=sys.stdout, invert=True)


def cmd_demo(args: argparse.Namespace) -> None:
    from server.demo import DEMO_PASSWORD, build

    settings = _settings(args)
    engine = _engine(settings, need_schema=False)
    try:
        migrate(settings.database_url)
        summary = build(make_session_factory(engine), settings, _now(), days=args.days)
    finally:
        engine.dispose()
    print(
        f"demo hall {summary.hall_id}: {summary.counters} counters, "
        f"{summary.ratings} ratings over {args.days} days"
    )
    print(f"users {', '.join(summary.users)} with password {DEMO_PASSWORD!r}")


def cmd_devices(args: argparse.Namespace) -> None:
    from server.devices.repository import list_devices
    from server.devices.service import pending_age_s

    def show(session: Session) -> None:
        rows = list_devices(session, args.hall)
        if not rows:
            print("no devices")
            return
        print(
            f"{'device':36}  {'counter':12} {'active':6} {'last contact':20} {'app':10} "
            f"{'queue':>6} {'oldest':>8} {'clock s':>8} {'seq':>8}  gaps"
        )
        now = _now()
        for d in rows:
            contact = (
                d.last_contact_at.strftime("%Y-%m-%d %H:%M:%S") if d.last_contact_at else "never"
            )
            age = pending_age_s(d, now)
            gaps = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in d.seq_gaps[:5])
            print(
                f"{d.id:36}  {d.counter_id:12} {'yes' if d.active else 'no':6} {contact:20} "
                f"{d.app_version[:10]:10} {d.queue_depth:>6} {_duration(age):>8} "
                f"{d.clock_offset_s:>8.1f}"
                f"{'!' if d.clock_flagged else ' '}{d.highest_seq:>8}  {gaps or '-'}"
            )

    _in_transaction(_settings(args), show)


def _duration(seconds: float | None) -> str:
    """A short age for a table cell: '-', '45s', '12m', '5h', '3d'."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def cmd_import(args: argparse.Namespace) -> None:
    from server.ingest.bundles import import_bundle, seal_receipt
    from server.models import Device
    from sync.bundle import BundleError

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    settings = _settings(args)

    def work(session: Session) -> tuple[Any, bytes]:
        try:
            receipt = import_bundle(session, data, settings, _now())
        except BundleError as exc:
            raise CliError(f"bundle refused: {exc}") from None
        device = session.get(Device, receipt.device_id)
        assert device is not None
        return receipt, seal_receipt(receipt, device)

    outcome = _in_transaction(settings, work)
    assert isinstance(outcome, tuple)
    receipt, sealed = outcome
    receipt_name = args.file.name.replace(".bundle", "") + ".receipt.json"
    target = args.receipt or args.file.with_name(receipt_name)
    target.write_bytes(sealed)
    counts: dict[str, int] = {}
    for result in receipt.results.values():
        counts[result] = counts.get(result, 0) + 1
    summary = ", ".join(f"{n} {r}" for r, n in sorted(counts.items())) or "nothing"
    print(f"imported bundle {receipt.bundle_id} of device {receipt.device_id}: {summary}")
    print(f"receipt written to {target}; take it back to the kiosk (hallrate-kiosk import-receipt)")


def cmd_escalate(args: argparse.Namespace) -> None:
    from server.escalation import escalate_once

    engine = _engine(_settings(args))
    try:
        count = escalate_once(make_session_factory(engine))
    finally:
        engine.dispose()
    print(f"{count} alerts escalated")


def cmd_notify_test(args: argparse.Namespace) -> None:
    from server.notify.channels import send_message

    outcome = send_message(
        args.url,
        "hallrate: test message / 测试消息",
        "If you can read this, alerts will reach this channel. 收到此消息说明预警通知可送达。",
        _settings(args),
    )
    if not outcome.delivered:
        raise CliError(f"NOT delivered: {outcome.error}")
    print("delivered")


def cmd_notify_add(args: argparse.Namespace) -> None:
    from server.notify import service

    def work(session: Session) -> int:
        return service.add_channel(
            session,
            url=args.url,
            role=args.role,
            hall_id=args.hall,
            label=args.label or "",
            quiet=args.quiet,
            digest=args.digest,
            now=_now(),
        ).id

    print(f"channel {_in_transaction(_settings(args), work)} added")


def cmd_notify_list(args: argparse.Namespace) -> None:
    from server.notify import service

    def show(session: Session) -> None:
        channels = service.list_channels(session)
        if not channels:
            print("no channels")
        for c in channels:
            quiet = f" quiet {c.quiet_start}-{c.quiet_end}" if c.quiet_start else ""
            digest = " daily digest" if c.digest else ""
            print(
                f"{c.id}\t{c.role}\t{c.hall_id or '(all halls)'}\t{service.redacted(c.url)}"
                f"{quiet}{digest}\t{c.label}"
            )

    _in_transaction(_settings(args), show)


def cmd_notify_remove(args: argparse.Namespace) -> None:
    from server.notify import service

    _in_transaction(_settings(args), lambda s: service.remove_channel(s, args.id))
    print(f"channel {args.id} removed")


def cmd_privacy_keygen(args: argparse.Namespace) -> None:
    from server.privacy.crypto import new_key

    print(new_key())


def cmd_privacy_purge(args: argparse.Namespace) -> None:
    from server.privacy.contacts import purge_expired_contacts

    settings = _settings(args)
    count = _in_transaction(
        settings,
        lambda s: purge_expired_contacts(s, _now(), settings.contact_retention_days),
    )
    print(f"{count} call-back contacts deleted")


def cmd_privacy_export(args: argparse.Namespace) -> None:
    import json

    from server.errors import NotFound
    from server.privacy.contacts import export_by_code
    from server.privacy.crypto import ContactKeyError
    from sync.receipt import normalize_code

    settings = _settings(args)
    code = normalize_code(args.code)
    if code is None:
        raise CliError(f"{args.code!r} is not a receipt code")
    try:
        data = _in_transaction(settings, lambda s: export_by_code(s, settings, code, _now()))
    except NotFound:
        raise CliError(f"no rating with receipt code {code}") from None
    except ContactKeyError as exc:
        raise CliError(str(exc)) from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"written to {args.out}")
    else:
        print(text)


def cmd_privacy_delete(args: argparse.Namespace) -> None:
    from server.errors import NotFound
    from server.privacy.contacts import delete_by_code
    from sync.receipt import normalize_code

    code = normalize_code(args.code)
    if code is None:
        raise CliError(f"{args.code!r} is not a receipt code")
    try:
        _in_transaction(_settings(args), lambda s: delete_by_code(s, code, _now()))
    except NotFound:
        raise CliError(f"no rating with receipt code {code}") from None
    print(f"deleted the contact, comment and receipt code of {code}; the scores stay, anonymous")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hallrate-server",
        description="hallrate central scoring server. The database is HALLRATE_DATABASE_URL "
        "(default: the SQLite file hallrate.db here) unless --database-url is given.",
    )
    parser.add_argument("--database-url", help="sqlite:///file.db or postgresql+psycopg://...")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        func: Callable[[argparse.Namespace], None],
        help_: str,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    command("init", cmd_init, "create or migrate the database")
    p = command("serve", cmd_serve, "run the HTTP server (uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--no-access-log", action="store_true", help="do not log each request")

    hall = sub.add_parser("hall", help="manage halls", description="manage halls")
    hall_sub = hall.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_hall_add, "add a hall", hall_sub)
    p.add_argument("id", help="hall id, e.g. hall-1")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--timezone", help="IANA timezone of the hall (default Asia/Shanghai)")

    counter = sub.add_parser("counter", help="manage counters", description="manage counters")
    counter_sub = counter.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_counter_add, "add a counter to a hall", counter_sub)
    p.add_argument("id", help="counter id, e.g. c01")
    p.add_argument("--hall", required=True, help="the hall's id")
    p.add_argument("--name", required=True, help="display name")

    staff = sub.add_parser("staff", help="manage staff", description="manage staff")
    staff_sub = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_staff_add, "add a staff member to a hall", staff_sub)
    p.add_argument("id", help="staff id")
    p.add_argument("--hall", required=True, help="the hall's id")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--counter", help="the counter they usually serve at")

    user = sub.add_parser("user", help="manage users", description="manage users")
    user_sub = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_user_add, "add a dashboard user", user_sub)
    p.add_argument("username")
    p.add_argument(
        "--role",
        required=True,
        choices=("admin", "manager", "supervisor", "auditor", "inspector"),
        help="admin: everything; supervisor, manager: own hall's alerts; auditor, "
        "inspector (督查): read only",
    )
    p.add_argument("--hall", help="a supervisor's or manager's hall")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin instead of prompting",
    )

    p = command(
        "enroll-code", cmd_enroll_code, "make a one-time enrollment code for a counter's kiosk"
    )
    p.add_argument("--counter", required=True, help="the counter's id")
    p.add_argument("--no-qr", action="store_true", help="do not draw the QR code")

    p = command("demo", cmd_demo, "create a demo hall with 30 days of ratings")
    p.add_argument("--days", type=int, default=30, help="days of history (default 30)")

    p = command("devices", cmd_devices, "list devices: last contact, queue, clock, seq gaps")
    p.add_argument("--hall", help="only this hall's devices")

    p = command("import", cmd_import, "ingest a kiosk's offline bundle and write its receipt")
    p.add_argument("file", type=Path, help="the .bundle.json file from the kiosk's USB export")
    p.add_argument("--receipt", type=Path, help="where to write the receipt (default: beside)")

    notify = sub.add_parser(
        "notify",
        help="alert notification channels",
        description="channels (apprise URLs, sms://numbers) alerts are told on",
    )
    notify_sub = notify.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("test", cmd_notify_test, "send a test message to a URL now", notify_sub)
    p.add_argument("url", help="mailto://..., json://..., wecomrelay://..., sms://138...")
    p = command("add", cmd_notify_add, "add a channel for a role (and hall)", notify_sub)
    p.add_argument("url", help="the channel's URL (see docs/administrator.md)")
    p.add_argument(
        "--role", required=True, choices=["supervisor", "manager", "inspector"], help="who"
    )
    p.add_argument("--hall", help="only this hall's alerts (default: every hall)")
    p.add_argument("--label", help="a name to recognise the channel by")
    p.add_argument("--quiet", help="quiet hours, local HH:MM-HH:MM, e.g. 22:00-07:30")
    p.add_argument("--digest", action="store_true", help="one message a day instead of each")
    command("list", cmd_notify_list, "list channels (secrets in URLs hidden)", notify_sub)
    p = command("remove", cmd_notify_remove, "remove a channel", notify_sub)
    p.add_argument("id", type=int, help="the channel's id (from list)")

    privacy = sub.add_parser(
        "privacy",
        help="citizens' personal data",
        description="call-back contacts and a person's data (个人信息保护法)",
    )
    privacy_sub = privacy.add_subparsers(dest="action", required=True, metavar="ACTION")
    command("keygen", cmd_privacy_keygen, "print a new contact encryption key", privacy_sub)
    command(
        "purge",
        cmd_privacy_purge,
        "delete call-back contacts past their retention now (the server does this hourly)",
        privacy_sub,
    )
    p = command("export", cmd_privacy_export, "export a person's data by receipt code", privacy_sub)
    p.add_argument("code", help="the receipt code")
    p.add_argument("--out", type=Path, help="write the JSON here instead of printing it")
    p = command("delete", cmd_privacy_delete, "delete a person's data by receipt code", privacy_sub)
    p.add_argument("code", help="the receipt code")

    command(
        "escalate",
        cmd_escalate,
        "mark overdue alerts escalated now (the server does this every minute by itself)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from server.demo import DemoError
    from server.enrollment.service import EnrollmentError
    from server.halls.service import HallError
    from server.notify.service import ChannelError
    from server.users.service import UserError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (CliError, HallError, UserError, EnrollmentError, DemoError, ChannelError) as exc:
        print(f"hallrate-server: error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"hallrate-server: error: database unavailable: {exc.orig}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
