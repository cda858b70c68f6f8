"""`hallrate-server`: set up, run and administer the central scoring server."""

from __future__ import annotations

import argparse
import copy
import getpass
import os
import secrets
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.database import (
    begin_write,
    is_migrated,
    make_engine,
    make_session_factory,
    migrate,
)
from server.models import Hall as HallRow
from server.models import Role
from server.settings import Settings, SettingsError


class CliError(Exception):
    """A failure to report in one line and exit 2."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise CliError(f"bad settings: {settings_problems(exc)}") from None
    except SettingsError as exc:
        raise CliError(f"bad settings: {exc}") from None


def settings_problems(exc: ValidationError) -> str:
    """The problems on one line, without the values given (a secret must not be echoed)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error["loc"])
        problems.append(f"HALLRATE_{where.upper()}: {message}" if where else message)
    return "; ".join(problems)


def _engine(settings: Settings, *, need_schema: bool = True) -> Engine:
    engine = make_engine(settings.database_url, single_use=True)
    try:
        migrated = is_migrated(engine)
    except OperationalError as exc:
        raise CliError(f"cannot open the database: {exc.orig}") from None
    if need_schema and not migrated:
        raise CliError("the database is not initialised; run `hallrate-server init` first")
    return engine


T = TypeVar("T")


class ChecksFailed(Exception):
    """A check found what it looks for and has printed it: exit status 1."""


def _in_transaction(settings: Settings, work: Callable[[Session], T], *, write: bool = True) -> T:
    """`work` in one transaction. A command that may write begins as a writer (BEGIN
    IMMEDIATE on SQLite): it waits its turn behind a running server's writes, where a
    transaction that read first and wrote later would be refused as soon as the server
    had committed in between ("database is locked"). Long read-only checks pass
    write=False and never hold the server's writers up."""
    engine = _engine(settings)
    try:
        with make_session_factory(engine).begin() as session:
            if write:
                begin_write(session)
            return work(session)
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def write_secret_file(path: Path) -> None:
    """A new random secret key in a new file only its owner can read: never through a
    symlink, never over an existing file."""
    secret = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise CliError(f"{path} exists; not overwriting a secret key") from None
    except OSError as exc:
        raise CliError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret + "\n")


def cmd_init(args: argparse.Namespace) -> None:
    if args.secret_file is not None:
        write_secret_file(args.secret_file)
        print(
            f"secret key written to {args.secret_file} (mode 600); point "
            f"HALLRATE_SECRET_KEY_FILE at it"
        )
    settings = _settings(args)
    _engine(settings, need_schema=False).dispose()
    migrate(settings.database_url)
    print("database ready")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = _settings(args)
    settings.secret  # noqa: B018 -- SettingsError (one line, exit 2) when there is none
    if settings.environment == "development":
        print(
            "hallrate-server: WARNING: development mode (HALLRATE_ENVIRONMENT=development): "
            + (
                "tokens are signed with a secret published in the source; "
                if settings.uses_published_secret
                else ""
            )
            + "never expose this server to citizens or a network you do not control",
            file=sys.stderr,
            flush=True,
        )
    _engine(settings).dispose()
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Must be set before any worker imports prometheus_client.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hallrate-metrics-")
    if args.database_url:
        os.environ["HALLRATE_DATABASE_URL"] = args.database_url
    # Workers are fresh processes: our loggers are configured through uvicorn's dictConfig.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    log_config.setdefault("filters", {})["redact"] = {"()": "server.accesslog.RedactSecrets"}
    log_config["handlers"]["access"]["filters"] = ["redact"]
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        log_config=log_config,
        access_log=not args.no_access_log,
        # X-Forwarded-For is believed from these proxies only (docs/operator.md).
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        loop="uvloop",
        http="httptools",
    )


def cmd_hall_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_hall

    settings = _settings(args)
    _in_transaction(
        settings,
        lambda s: _created(
            s,
            add_hall(s, args.id, args.name, args.timezone or settings.default_timezone, _now()),
        ),
    )
    print(f"hall {args.id} added")


def cmd_counter_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_counter

    _in_transaction(
        _settings(args),
        lambda s: _created(s, add_counter(s, args.hall, args.id, args.name, _now())),
    )
    print(f"counter {args.id} added to hall {args.hall}")


def cmd_staff_add(args: argparse.Namespace) -> None:
    from server.halls.service import add_staff

    _in_transaction(
        _settings(args),
        lambda s: _created(s, add_staff(s, args.hall, args.id, args.name, args.counter, _now())),
    )
    print(f"staff member {args.id} added to hall {args.hall}")


def cmd_matter_put(args: argparse.Namespace) -> None:
    from server.sessions.service import MatterError, put_matter

    try:
        _in_transaction(
            _settings(args),
            lambda s: put_matter(
                s, args.code, args.name, args.minutes, active=not args.disabled, now=_now()
            ),
        )
    except MatterError as exc:
        raise CliError(f"matter {args.code}: {exc}") from None
    print(f"matter {args.code} saved ({args.minutes} min standard)")


def cmd_matter_list(args: argparse.Namespace) -> None:
    from server.sessions.repository import list_matters

    def show(session: Session) -> None:
        _table(
            [
                (m.code, m.name, str(m.standard_minutes), _yes(m.active))
                for m in list_matters(session, include_disabled=True)
            ],
            ("matter", "name", "standard min", "active"),
        )

    _in_transaction(_settings(args), show)


def cmd_sessions(args: argparse.Namespace) -> None:
    from server.sessions.service import session_report

    def show(session: Session) -> None:
        report = session_report(session, args.counter, args.days, _now(), limit=args.limit)
        _table(
            [
                (
                    r.ended_at or "-",
                    r.ticket or "-",
                    r.staff or "-",
                    r.matter or "-",
                    r.outcome or "open",
                    r.handling,
                    r.rating,
                )
                for r in report.rows
            ],
            ("ended", "ticket", "staff", "matter", "outcome", "handling", "rating"),
        )
        print()
        _table(
            [
                (
                    who,
                    str(f.finished),
                    str(f.rated),
                    _percent(f.participation_rate),
                    _percent(f.one_visit_rate),
                    "-" if f.mean_handling_minutes is None else f"{f.mean_handling_minutes:.1f}",
                    str(f.over_standard),
                )
                for who, f in report.figures
            ],
            ("who", "finished", "rated", "participation", "one visit", "mean min", "over std"),
        )

    _in_transaction(_settings(args), show)


def _percent(value: Any) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def cmd_user_add(args: argparse.Namespace) -> None:
    from server.models import Role
    from server.users.service import create_user, hasher_for

    password = _read_new_password(args)
    settings = _settings(args)

    def work(session: Session) -> None:
        from server.audit.service import record
        from server.users.admin import snapshot

        user = create_user(
            session,
            args.username,
            password,
            Role(args.role),
            args.hall,
            _now(),
            hasher_for(settings),
        )
        record(
            session,
            user=None,
            username="cli",
            action="user.create",
            at=_now(),
            object_type="user",
            object_id=user.username,
            hall_id=user.hall_id,
            after=snapshot(user),
        )

    _in_transaction(settings, work)
    print(f"user {args.username} ({args.role}) added")


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """Print rows as left-aligned columns (the CLI's lists)."""
    if not rows:
        print("none")
        return
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        cells = (cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _print_change(kind: str, ident: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = [
        f"{k}: {before.get(k)!r} -> {after[k]!r}" for k in after if before.get(k) != after[k]
    ]
    if changed:
        print(f"{kind} {ident}: " + "; ".join(changed))
    else:
        print(f"{kind} {ident}: nothing changed")


def _audited(session: Session, change: Any, action: str) -> Any:
    """Log a hall, counter or staff change as made by "cli"; the change."""
    from server.halls.service import record_change

    record_change(session, change, action=action, user=None, username="cli", at=_now())
    return change


def _created(session: Session, record: Any) -> Any:
    """Log a new hall, counter or staff member as made by "cli"; the record."""
    from server.halls.service import Change, snapshot

    kind = type(record).__name__.lower()
    _audited(session, Change(kind, record.id, {}, snapshot(record)), f"{kind}.create")
    return record


def _edit_action(active: bool | None, kind: str) -> str:
    return f"{kind}.{'edit' if active is None else ('enable' if active else 'disable')}"


def cmd_hall_list(args: argparse.Namespace) -> None:
    from server.halls.repository import list_halls

    def show(session: Session) -> None:
        _table(
            [(h.id, h.name, h.timezone, _yes(h.active)) for h in list_halls(session)],
            ("hall", "name", "timezone", "active"),
        )

    _in_transaction(_settings(args), show)


def _hall_edit(args: argparse.Namespace, active: bool | None) -> None:
    from server.halls.service import Change, edit_hall

    change = _in_transaction(
        _settings(args),
        lambda s: _audited(
            s,
            edit_hall(
                s,
                args.id,
                name=getattr(args, "name", None),
                timezone=getattr(args, "timezone", None),
                active=active,
            ),
            _edit_action(active, "hall"),
        ),
    )
    assert isinstance(change, Change)
    _print_change("hall", change.id, change.before, change.after)


def cmd_counter_list(args: argparse.Namespace) -> None:
    from server.halls.repository import list_counters

    def show(session: Session) -> None:
        _table(
            [(c.id, c.hall_id, c.name, _yes(c.active)) for c in list_counters(session, args.hall)],
            ("counter", "hall", "name", "active"),
        )

    _in_transaction(_settings(args), show)


def _counter_edit(args: argparse.Namespace, active: bool | None) -> None:
    from server.halls.service import Change, edit_counter

    change = _in_transaction(
        _settings(args),
        lambda s: _audited(
            s,
            edit_counter(s, args.id, name=getattr(args, "name", None), active=active),
            _edit_action(active, "counter"),
        ),
    )
    assert isinstance(change, Change)
    _print_change("counter", change.id, change.before, change.after)


def cmd_staff_list(args: argparse.Namespace) -> None:
    from server.halls.service import list_staff

    def show(session: Session) -> None:
        _table(
            [
                (
                    s.id,
                    s.hall_id,
                    s.counter_id or "-",
                    s.name,
                    _yes(s.active),
                    s.photo_sha256[:12] if s.photo_sha256 else "-",
                )
                for s in list_staff(session, args.hall)
            ],
            ("staff", "hall", "counter", "name", "active", "photo"),
        )

    _in_transaction(_settings(args), show)


def _staff_edit(args: argparse.Namespace, active: bool | None) -> None:
    from server.halls.service import KEEP, Change, edit_staff

    counter = KEEP
    if getattr(args, "no_counter", False):
        counter = None
    elif getattr(args, "counter", None) is not None:
        counter = args.counter
    change = _in_transaction(
        _settings(args),
        lambda s: _audited(
            s,
            edit_staff(
                s, args.id, name=getattr(args, "name", None), counter_id=counter, active=active
            ),
            _edit_action(active, "staff"),
        ),
    )
    assert isinstance(change, Change)
    _print_change("staff member", change.id, change.before, change.after)


def cmd_staff_photo(args: argparse.Namespace) -> None:
    from server.halls.photos import PhotoError
    from server.halls.service import Change, set_staff_photo

    data: bytes | None = None
    if not args.remove:
        if args.file is None:
            raise CliError("give the photo file, or --remove")
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    settings = _settings(args)

    def work(session: Session) -> Change:
        try:
            change = set_staff_photo(
                session, args.id, data, settings.photo_dir, settings.photo_max_bytes
            )
        except PhotoError as exc:
            raise CliError(str(exc)) from None
        result: Change = _audited(session, change, "staff.photo")
        return result

    change = _in_transaction(settings, work)
    assert isinstance(change, Change)
    _print_change("staff member", change.id, change.before, change.after)


def cmd_user_list(args: argparse.Namespace) -> None:
    from server.users.admin import list_users

    def show(session: Session) -> None:
        _table(
            [(u.username, u.role, u.hall_id or "-", _yes(u.active)) for u in list_users(session)],
            ("user", "role", "hall", "active"),
        )

    _in_transaction(_settings(args), show)


def _user_edit(args: argparse.Namespace, active: bool | None, *, quiet: bool = False) -> None:
    from server.models import Role
    from server.users.admin import KEEP, edit_user

    hall = KEEP
    if getattr(args, "no_hall", False):
        hall = None
    elif getattr(args, "hall", None) is not None:
        hall = args.hall
    role = Role(args.role) if getattr(args, "role", None) else None

    def work(session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
        from server.audit.service import record

        before, after = edit_user(session, args.username, role=role, hall_id=hall, active=active)
        record(
            session,
            user=None,
            username="cli",
            action=_edit_action(active, "user"),
            at=_now(),
            object_type="user",
            object_id=args.username,
            hall_id=after["hall_id"],
            before=before,
            after=after,
        )
        return before, after

    outcome = _in_transaction(_settings(args), work)
    assert isinstance(outcome, tuple)
    if not quiet:
        _print_change("user", args.username, *outcome)


def _read_new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"password for {args.username}: ")
    if password != getpass.getpass("again: "):
        raise CliError("the passwords differ")
    return password


def cmd_scoring_show(args: argparse.Namespace) -> None:
    import json

    from server.content.service import content_in_force, summary

    settings = _settings(args)

    def show(session: Session) -> None:
        content = content_in_force(session, settings)
        made = (
            f"made {content.created_at.isoformat(timespec='minutes')} by {content.created_by}"
            if content.created_at
            else "built-in defaults"
        )
        print(f"content version {content.version} ({made})")
        print(json.dumps(summary(content), ensure_ascii=False, indent=2))

    _in_transaction(settings, show)


def cmd_scoring_set(args: argparse.Namespace) -> None:
    import json

    from server.content.service import Content, change_content, content_in_force

    settings = _settings(args)
    weights: dict[str, object] | None = None
    if args.weight:
        weights = {}
        for item in args.weight:
            code, sep, value = item.partition("=")
            if not sep:
                raise CliError(f"--weight takes DIMENSION=WEIGHT, got {item!r}")
            weights[code.strip()] = value
    reasons = None
    if args.reasons_file is not None:
        try:
            reasons = json.loads(args.reasons_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CliError(f"cannot read {args.reasons_file}: {exc.strerror}") from None
        except ValueError as exc:
            raise CliError(f"{args.reasons_file} is not JSON: {exc}") from None
        if not isinstance(reasons, list) or not all(isinstance(r, dict) for r in reasons):
            raise CliError('the reasons file is a JSON list of {"code","dimension","zh","en"}')

    def work(session: Session) -> tuple[Content, Content]:
        if weights is not None:
            # Weights not named keep their value in force.
            merged: dict[str, object] = {
                k: str(v) for k, v in content_in_force(session, settings).scoring.weights.items()
            }
            merged.update(weights)
        else:
            merged = {}
        from server.audit.service import record
        from server.content.service import summary

        before, after = change_content(
            session,
            settings,
            weights=merged or None,
            low_score_below=args.low_score_below,
            alert_deadline_hours=args.deadline_hours,
            reasons=reasons,
            by="cli",
            now=_now(),
        )
        record(
            session,
            user=None,
            username="cli",
            action="content.change",
            at=_now(),
            object_type="content",
            object_id=after.version,
            before=summary(before),
            after=summary(after),
        )
        return before, after

    outcome = _in_transaction(settings, work)
    assert isinstance(outcome, tuple)
    before, after = outcome
    print(
        f"content version {after.version} in force (was {before.version}); "
        "kiosks get it on their next sync"
    )


def cmd_scoring_history(args: argparse.Namespace) -> None:
    from server.content.repository import history

    def show(session: Session) -> None:
        _table(
            [
                (
                    v.version,
                    v.created_at.isoformat(timespec="minutes"),
                    v.created_by,
                    " ".join(f"{k}={w}" for k, w in v.scoring["weights"].items()),
                    str(v.scoring["low_score_below"]),
                    str(v.scoring["alert_deadline_hours"]),
                    str(len(v.reasons)),
                )
                for v in history(session)
            ],
            ("version", "made", "by", "weights", "low below", "deadline h", "reasons"),
        )

    _in_transaction(_settings(args), show)


def cmd_user_set_password(args: argparse.Namespace) -> None:
    from server.audit.service import record
    from server.users.admin import reset_password
    from server.users.service import hasher_for

    password = _read_new_password(args)
    settings = _settings(args)

    def work(session: Session) -> None:
        user = reset_password(session, args.username, password, hasher_for(settings))
        record(
            session,
            user=None,
            username="cli",
            action="user.password_reset",
            at=_now(),
            object_type="user",
            object_id=user.username,
            hall_id=user.hall_id,
        )

    _in_transaction(settings, work)
    print(f"password of {args.username} changed; tokens issued before no longer work")


def cmd_user_disable(args: argparse.Namespace) -> None:
    # Through `user edit`'s path: audited, and the last active admin is kept.
    _user_edit(args, False, quiet=True)
    print(f"user {args.username} disabled; tokens issued before no longer work")


def cmd_user_enable(args: argparse.Namespace) -> None:
    _user_edit(args, True, quiet=True)
    print(f"user {args.username} enabled; they must log in again")


def cmd_user_revoke_tokens(args: argparse.Namespace) -> None:
    from server.users.service import revoke_user_tokens

    _in_transaction(_settings(args), lambda s: revoke_user_tokens(s, args.username))
    print(f"every login token of {args.username} revoked")


def cmd_device_revoke(args: argparse.Namespace) -> None:
    from server.audit.service import record
    from server.devices.service import revoke_device
    from server.halls.repository import get_counter

    def work(session: Session) -> None:
        device = revoke_device(session, args.device_id, _now())
        counter = get_counter(session, device.counter_id)
        record(
            session,
            user=None,
            username="cli",
            action="device.revoke",
            at=_now(),
            object_type="device",
            object_id=device.id,
            hall_id=counter.hall_id if counter else None,
            before={"counter_id": device.counter_id, "active": True},
            after={"counter_id": device.counter_id, "active": False},
        )

    _in_transaction(_settings(args), work)
    print(
        f"device {args.device_id} revoked: its token and bundles are refused; "
        "enroll a new device for its counter (hallrate-server enroll-code)"
    )


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
        f"{summary.ratings} ratings and {summary.sessions} service sessions over {args.days} days"
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
            # Every text a device or an admin supplied goes through `_cell`: a kiosk must
            # not be able to send terminal escape sequences to the operator's screen.
            contact = (
                d.last_contact_at.strftime("%Y-%m-%d %H:%M:%S") if d.last_contact_at else "never"
            )
            age = pending_age_s(d, now)
            gaps = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in d.seq_gaps[:5])
            print(
                f"{_cell(d.id):36}  {_cell(d.counter_id):12} {'yes' if d.active else 'no':6} "
                f"{contact:20} {_cell(d.app_version[:10]):10} {d.queue_depth:>6} "
                f"{_duration(age):>8} "
                f"{d.clock_offset_s:>8.1f}"
                f"{'!' if d.clock_flagged else ' '}{d.highest_seq:>8}  {gaps or '-'}"
            )

    _in_transaction(_settings(args), show)


def _cell(text: str) -> str:
    """`text` safe for a terminal: control characters (ESC, BEL, CR, …, and the C1 and
    bidi controls) shown as escapes instead of acting on the screen."""
    return "".join(
        ch
        if ch.isprintable() and not _is_bidi_control(ch)
        else ch.encode("unicode_escape").decode()
        for ch in text
    )


def _is_bidi_control(ch: str) -> bool:
    return "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"


def _duration(seconds: float | None) -> str:
    """A short age for a table cell: '-', '45s', '12m', '5h', '3d'."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def write_new_file(path: Path, data: bytes) -> None:
    """Create `path` with `data`: never through a symbolic link, never over an existing
    file (a receipt written through a planted link could overwrite anything we may write)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        raise CliError(f"{path} exists; not overwriting it (name a new file)") from None
    except OSError as exc:
        raise CliError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def cmd_import(args: argparse.Namespace) -> None:
    from server.ingest.bundles import import_bundle, seal_receipt
    from server.models import Device
    from sync.bundle import BundleError

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    settings = _settings(args)
    settings.secret  # noqa: B018 -- bundle keys are kept under it: SettingsError if none
    receipt_name = args.file.name.replace(".bundle", "") + ".receipt.json"
    target: Path = args.receipt or args.file.with_name(receipt_name)
    if target.exists() or target.is_symlink():
        # Refused before anything is stored, so the import can simply be run again.
        raise CliError(f"{target} exists; not overwriting it (give --receipt NEW_FILE)")

    def work(session: Session) -> tuple[Any, bytes]:
        try:
            receipt = import_bundle(session, data, settings, _now())
            device = session.get(Device, receipt.device_id)
            assert device is not None
            return receipt, seal_receipt(receipt, device, settings)
        except BundleError as exc:
            raise CliError(f"bundle refused: {exc}") from None

    outcome = _in_transaction(settings, work)
    assert isinstance(outcome, tuple)
    receipt, sealed = outcome
    write_new_file(target, sealed)
    counts: dict[str, int] = {}
    for result in receipt.results.values():
        counts[result] = counts.get(result, 0) + 1
    summary = ", ".join(f"{n} {r}" for r, n in sorted(counts.items())) or "nothing"
    print(
        f"imported bundle {_cell(receipt.bundle_id)} of device {_cell(receipt.device_id)}: "
        f"{summary}"
    )
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


def cmd_audit_verify(args: argparse.Namespace) -> None:
    from server.audit import chain

    result = _in_transaction(_settings(args), chain.verify, write=False)
    print(f"audit log: {result.entries} entries checked")
    print(f"ratings: {result.days} sealed days checked")
    for problem in result.breaks:
        print(f"BROKEN: {problem}")
    if not result.ok:
        raise ChecksFailed()
    print("intact: every link matches the rows as they are")


def cmd_audit_seal(args: argparse.Namespace) -> None:
    from server.audit import chain

    count = _in_transaction(_settings(args), lambda s: chain.seal_days(s, _now()))
    print(f"{count} days of received ratings sealed")


def cmd_audit_sample(args: argparse.Namespace) -> None:
    from server.audit import sample
    from server.audit.service import record

    try:
        month = datetime.strptime(args.month, "%Y-%m").date()
    except ValueError:
        raise CliError(f"{args.month!r} is not a month (YYYY-MM)") from None
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)

    def draw(session: Session) -> list[sample.HallSample]:
        if args.hall and session.get(HallRow, args.hall) is None:
            raise CliError(f"no hall {args.hall!r}")
        drawn = sample.draw(session, month, seed, args.hall)
        for hall in drawn:
            record(
                session,
                user=None,
                username="cli",
                action="audit.sample",
                at=_now(),
                object_type="hall",
                object_id=hall.hall_id,
                hall_id=hall.hall_id,
                after={
                    "month": args.month,
                    "seed": seed,
                    "ratings": hall.ratings,
                    "drawn": len(hall.drawn),
                },
            )
        return drawn

    print(f"month {args.month}, seed {seed} (redraw with --seed {seed})")
    for hall in _in_transaction(_settings(args), draw):
        print(f"hall {hall.hall_id}: {len(hall.drawn)} of {hall.ratings} ratings")
        for rating_id in hall.drawn:
            print(f"  {rating_id}")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_export(args: argparse.Namespace) -> None:
    """Ratings, rankings or alerts for a filter to a CSV or XLSX file (server/exports),
    written beside the target and renamed into place; recorded in the audit log."""
    import time

    from server.exports import service as exports
    from server.halls import repository as halls_repository
    from server.scores.periods import Period, PeriodKind, month_of
    from server.scores.rankings import Subject

    if (args.date_from is None) != (args.date_to is None):
        raise CliError("give both --from and --to, or neither (the previous month)")
    if args.date_from is not None:
        if args.date_to < args.date_from:
            raise CliError("--to is before --from")
        period = Period(PeriodKind.CUSTOM, args.date_from, args.date_to)
    else:
        period = month_of(_now().date().replace(day=1) - timedelta(days=1))
    settings = _settings(args)
    engine = _engine(settings)
    out: Path = args.out
    partial = out.with_name(f".{out.name}.partial")
    started = time.perf_counter()
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            if args.hall:
                hall = halls_repository.get_hall(session, args.hall)
                if hall is None:
                    raise CliError(f"no hall {args.hall!r}")
                chosen = [hall]
            else:
                chosen = halls_repository.list_halls(session)
            request = exports.ExportRequest(
                kind=exports.ExportKind(args.kind),
                fmt=exports.ExportFormat(args.format),
                halls=chosen,
                period=period,
                subject=Subject(args.subject),
            )
            from server.content.service import scoring_in_force

            config = scoring_in_force(session, settings)
            now = _now()
            rows = 0

            def counted() -> Iterator[list[Any]]:
                nonlocal rows
                for row in exports.export_rows(session, request, config, now):
                    rows += 1
                    yield row

            try:
                with partial.open("wb") as target:
                    exports.write_file(counted(), request.fmt, target)
            except OSError as exc:
                raise CliError(f"cannot write {out}: {exc.strerror}") from None
        with factory.begin() as session:
            exports.record_export(session, request, now, username="cli")
        partial.replace(out)
    finally:
        if partial.exists():
            partial.unlink()
        engine.dispose()
    elapsed = time.perf_counter() - started
    print(
        f"wrote {rows} rows ({args.kind}, {period.first} to {period.last}) to {out} "
        f"in {elapsed:.1f} s"
    )


def _month_halls(session: Session, hall: str | None) -> list[str]:
    from server.months import repository as months_repository

    if hall is not None:
        if months_repository.hall(session, hall) is None:
            raise CliError(f"no hall {hall!r}")
        return [hall]
    return [h.id for h in months_repository.halls(session)]


def cmd_month_close(args: argparse.Namespace) -> None:
    from server.months.service import close_month

    settings = _settings(args)

    def work(session: Session) -> list[str]:
        lines = []
        for hall_id in _month_halls(session, args.hall):
            row = close_month(session, settings, hall_id, args.month, now=_now())
            totals = row.figures["totals"]
            over = row.figures["judgements"]["over_limit"]
            lines.append(
                f"{hall_id} {row.month}: closed, {totals['ratings']} ratings, "
                f"{len(over)} counter(s) to rectify{': ' + ', '.join(over) if over else ''}; "
                f"digest {row.digest[:16]}"
            )
        return lines

    for line in _in_transaction(settings, work):
        print(line)


def cmd_month_verify(args: argparse.Namespace) -> None:
    from server.months.service import verify_month

    settings = _settings(args)

    def work(session: Session) -> list[Any]:
        return [
            verify_month(session, settings, hall_id, args.month, now=_now())
            for hall_id in _month_halls(session, args.hall)
            if args.hall is not None or _is_closed(session, hall_id, args.month)
        ]

    results = _in_transaction(settings, work)
    bad = False
    for result in results:
        state = "OK" if result.ok else "DIFFERS"
        bad = bad or not result.ok
        print(
            f"{result.hall_id} {result.month}: {state}: the snapshot "
            f"{'matches' if result.digest_ok else 'does NOT match'} its digest; a "
            f"recomputation as of the close shows {len(result.differences)} difference(s)"
        )
        for line in result.differences:
            print(f"  {line}")
        if result.late_ratings or result.differences_now:
            print(
                f"  since the close: {result.late_ratings} late rating(s), listed as "
                f"adjustments of later months; with them the month would read:"
            )
            for line in result.differences_now:
                print(f"    {line}")
    if bad:
        raise CliError("a closed month differs from its raw ratings (see above)")


def _is_closed(session: Session, hall_id: str, month: str) -> bool:
    from server.months import repository as months_repository
    from server.months.periods import parse_month

    return months_repository.month_close(session, hall_id, parse_month(month).label) is not None


def cmd_month_report(args: argparse.Namespace) -> None:
    from server.months import reports
    from server.months.periods import parse_period

    settings = _settings(args)
    period = parse_period(args.period)
    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in ("pdf", "xlsx"):
        raise CliError("--format must be pdf or xlsx (or give --out a .pdf or .xlsx name)")
    if args.staff and fmt != "pdf":
        raise CliError("a staff member's report is a PDF")

    def work(session: Session) -> bytes:
        _month_halls(session, args.hall)
        report = reports.build_report(session, settings, args.hall, period, _now())
        if args.staff:
            return reports.staff_report_pdf(report, args.staff)
        return reports.hall_report_pdf(report) if fmt == "pdf" else reports.hall_report_xlsx(report)

    data = _in_transaction(settings, work)
    assert isinstance(data, bytes)
    write_new_file(args.out, data)
    print(f"{args.out}: {period.label} report of {args.hall} ({fmt}, {len(data)} bytes)")


def cmd_month_list(args: argparse.Namespace) -> None:
    from server.months.service import closed_months

    def show(session: Session) -> None:
        rows = []
        for hall_id in _month_halls(session, args.hall):
            for row in closed_months(session, hall_id):
                rows.append(
                    (
                        hall_id,
                        row.month,
                        f"{row.closed_at:%Y-%m-%d %H:%M}",
                        row.closed_by,
                        row.config_version,
                        str(row.figures["totals"]["ratings"]),
                        row.digest[:16],
                    )
                )
        _table(rows, ("hall", "month", "closed (UTC)", "by", "rules", "ratings", "digest"))

    _in_transaction(_settings(args), show)


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

    p = command("init", cmd_init, "create or migrate the database")
    p.add_argument(
        "--secret-file",
        type=Path,
        help="also write a new random secret key to this new file (owner-only permissions)",
    )
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
    command("list", cmd_hall_list, "list halls", hall_sub)
    p = command(
        "edit", lambda a: _hall_edit(a, None), "rename a hall or change its timezone", hall_sub
    )
    p.add_argument("id")
    p.add_argument("--name", help="new display name")
    p.add_argument("--timezone", help="new IANA timezone")
    p = command(
        "disable",
        lambda a: _hall_edit(a, False),
        "disable a hall: no new counters, staff or enrollment codes; history is kept",
        hall_sub,
    )
    p.add_argument("id")
    p = command("enable", lambda a: _hall_edit(a, True), "enable a disabled hall", hall_sub)
    p.add_argument("id")

    counter = sub.add_parser("counter", help="manage counters", description="manage counters")
    counter_sub = counter.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_counter_add, "add a counter to a hall", counter_sub)
    p.add_argument("id", help="counter id, e.g. c01")
    p.add_argument("--hall", required=True, help="the hall's id")
    p.add_argument("--name", required=True, help="display name")
    p = command("list", cmd_counter_list, "list counters", counter_sub)
    p.add_argument("--hall", help="only this hall's counters")
    p = command("edit", lambda a: _counter_edit(a, None), "rename a counter", counter_sub)
    p.add_argument("id")
    p.add_argument("--name", help="new display name")
    p = command(
        "disable",
        lambda a: _counter_edit(a, False),
        "disable a counter: no enrollment code for it; its kiosk still delivers what it holds "
        "(revoke it on the console's Kiosks page)",
        counter_sub,
    )
    p.add_argument("id")
    p = command(
        "enable", lambda a: _counter_edit(a, True), "enable a disabled counter", counter_sub
    )
    p.add_argument("id")

    matter = sub.add_parser(
        "matter", help="the matter catalog (事项)", description="the matter catalog (事项)"
    )
    matter_sub = matter.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command(
        "put", cmd_matter_put, "add a matter or change its name and standard time", matter_sub
    )
    p.add_argument("code", help="the matter's code, as the queue system names it")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--minutes", type=int, default=10, help="standard handling minutes (default 10)")
    p.add_argument("--disabled", action="store_true", help="keep it, but send it to no kiosk")
    command("list", cmd_matter_list, "list the matter catalog", matter_sub)
    p = command(
        "sessions",
        cmd_sessions,
        "a counter's recent service sessions (handling time, outcome, rating) and its "
        "participation rate (参评率) per staff member",
    )
    p.add_argument("--counter", required=True, help="the counter's id")
    p.add_argument("--days", type=int, default=1, help="sessions ended in the last N days")
    p.add_argument("--limit", type=int, default=50, help="at most this many sessions listed")

    staff = sub.add_parser("staff", help="manage staff", description="manage staff")
    staff_sub = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("add", cmd_staff_add, "add a staff member to a hall", staff_sub)
    p.add_argument("id", help="staff id")
    p.add_argument("--hall", required=True, help="the hall's id")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--counter", help="the counter they usually serve at")
    p = command("list", cmd_staff_list, "list staff", staff_sub)
    p.add_argument("--hall", help="only this hall's staff")
    p = command(
        "edit", lambda a: _staff_edit(a, None), "rename staff or move them to a counter", staff_sub
    )
    p.add_argument("id")
    p.add_argument("--name", help="new display name")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--counter", help="the counter they usually serve at")
    where.add_argument("--no-counter", action="store_true", help="no usual counter")
    p = command(
        "disable",
        lambda a: _staff_edit(a, False),
        "disable a staff member: they leave the kiosks' staff list on the next sync",
        staff_sub,
    )
    p.add_argument("id")
    p = command("enable", lambda a: _staff_edit(a, True), "enable a staff member", staff_sub)
    p.add_argument("id")
    p = command(
        "photo",
        cmd_staff_photo,
        "set a staff member's photo (JPEG, PNG or WebP; shown on the kiosk after its next sync)",
        staff_sub,
    )
    p.add_argument("id")
    p.add_argument("file", type=Path, nargs="?", help="the photo file")
    p.add_argument("--remove", action="store_true", help="remove the photo instead")

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
    command("list", cmd_user_list, "list users", user_sub)
    p = command("edit", lambda a: _user_edit(a, None), "change a user's role or hall", user_sub)
    p.add_argument("username")
    p.add_argument("--role", choices=tuple(r.value for r in Role), help="new role")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--hall", help="a supervisor's hall")
    where.add_argument("--no-hall", action="store_true", help="no hall (admins, auditors)")

    scoring = sub.add_parser(
        "scoring",
        help="scoring settings (weights, low-score threshold, alert deadline, reasons)",
        description="scoring settings: each change is a new content version that kiosks "
        "receive on their next sync",
    )
    scoring_sub = scoring.add_subparsers(dest="action", required=True, metavar="ACTION")
    command("show", cmd_scoring_show, "show the content version in force", scoring_sub)
    command("history", cmd_scoring_history, "list the content versions made", scoring_sub)
    p = command("set", cmd_scoring_set, "put a new content version in force", scoring_sub)
    p.add_argument(
        "--weight",
        action="append",
        metavar="DIMENSION=WEIGHT",
        help="e.g. --weight attitude=0.25 --weight overall=0.05; weights must sum to 1",
    )
    p.add_argument("--low-score-below", help="a rating below this weighted score is low (3)")
    p.add_argument("--deadline-hours", help="hours to answer a low-score alert (24)")
    p.add_argument(
        "--reasons-file",
        type=Path,
        help='a JSON list of {"code", "dimension", "zh", "en"}: the low-score reasons',
    )

    for name, func, help_ in (
        ("disable", cmd_user_disable, "disable a user: no login, every token void"),
        ("enable", cmd_user_enable, "let a disabled user log in again"),
        ("revoke-tokens", cmd_user_revoke_tokens, "void every login token of a user"),
        ("set-password", cmd_user_set_password, "set a user's password (voids their tokens)"),
    ):
        p = command(name, func, help_, user_sub)
        p.add_argument("username")
        if name == "set-password":
            p.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from the first line of stdin instead of prompting",
            )

    device = sub.add_parser("device", help="manage devices", description="manage devices")
    device_sub = device.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("revoke", cmd_device_revoke, "revoke a device's token (a lost kiosk)", device_sub)
    p.add_argument("device_id", help="the device's id (hallrate-server devices lists them)")

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

    audit = sub.add_parser(
        "audit",
        help="the tamper-evident record and the random audit",
        description="the hash chains of the audit log and of each day's ratings; the 10% sample",
    )
    audit_sub = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(
        "verify",
        cmd_audit_verify,
        "check both hash chains; exit status 1 and the first broken link when one does not match",
        audit_sub,
    )
    command(
        "seal",
        cmd_audit_seal,
        "seal the days of received ratings that are over (the server does this by itself)",
        audit_sub,
    )
    p = command("sample", cmd_audit_sample, "draw the month's random 10% of ratings", audit_sub)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--seed", type=int, help="redraw the sample of this seed")
    p.add_argument("--hall", help="one hall only")
    p = command(
        "export",
        cmd_export,
        "export ratings, rankings or alerts to a CSV (UTF-8 with BOM) or XLSX file",
    )
    p.add_argument("kind", choices=["ratings", "rankings", "alerts"])
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="default csv")
    p.add_argument("--hall", help="one hall's id (default: every hall)")
    p.add_argument("--from", dest="date_from", type=_day, help="first local day, YYYY-MM-DD")
    p.add_argument(
        "--to",
        dest="date_to",
        type=_day,
        help="last local day (default with neither: the previous calendar month)",
    )
    p.add_argument(
        "--subject",
        choices=["counter", "staff"],
        default="counter",
        help="what rankings rank (default counter)",
    )
    p.add_argument("--out", type=Path, required=True, help="the file to write")
    month = sub.add_parser(
        "month",
        help="close, verify and report a month (figures, the 20% rule, points)",
        description="the monthly assessment: a closed month is a snapshot that never changes",
    )
    month_sub = month.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command(
        "close", cmd_month_close, "close a month: store its figures and points for good", month_sub
    )
    p.add_argument("month", help="YYYY-MM, in the hall's timezone")
    p.add_argument("--hall", help="only this hall (default: every hall)")
    p = command(
        "verify",
        cmd_month_verify,
        "recompute a closed month from the raw ratings and show any difference",
        month_sub,
    )
    p.add_argument("month", help="YYYY-MM")
    p.add_argument("--hall", help="only this hall (default: every hall that closed it)")
    p = command(
        "report", cmd_month_report, "write a hall's report (or a staff member's page)", month_sub
    )
    p.add_argument("period", help="YYYY-MM (a month), YYYY-Www (a week) or YYYY-Qn (a quarter)")
    p.add_argument("--hall", required=True, help="the hall's id")
    p.add_argument("--format", choices=("pdf", "xlsx"), help="default: from --out's suffix")
    p.add_argument("--out", required=True, type=Path, help="the file to write (not overwritten)")
    p.add_argument("--staff", help="a staff member's one-page report instead (PDF)")
    p = command("list", cmd_month_list, "list closed months", month_sub)
    p.add_argument("--hall", help="only this hall")

    command(
        "escalate",
        cmd_escalate,
        "mark overdue alerts escalated now (the server does this every minute by itself)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from server.content.service import ContentError
    from server.demo import DemoError
    from server.devices.service import DeviceError
    from server.enrollment.service import EnrollmentError
    from server.halls.service import HallError
    from server.months.periods import PeriodError
    from server.months.reports import ReportError
    from server.months.service import MonthError
    from server.notify.service import ChannelError
    from server.users.service import UserError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe is met here, not at exit
    except (
        CliError,
        HallError,
        UserError,
        EnrollmentError,
        DemoError,
        DeviceError,
        ContentError,
        ChannelError,
        MonthError,
        PeriodError,
        ReportError,
    ) as exc:
        print(f"hallrate-server: error: {exc}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        print(f"hallrate-server: error: {exc}", file=sys.stderr)
        return 2
    except ChecksFailed:
        return 1
    except BrokenPipeError:
        # The reader went away (`enroll-code | head -1`): what was done is done; say
        # nothing more, and keep Python from complaining again when it flushes stdout.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
    except OperationalError as exc:
        print(f"hallrate-server: error: database unavailable: {exc.orig}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
