"""hallrate-server: every command has --help, does its job and fails with a clear message."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.cli import main
from server.database import make_engine, make_session_factory
from server.models import Alert, AuditEntry, Counter, Device, Hall, Rating, Staff, User
from server.sessions.service import session_figures

SCRIPT = str(Path(sys.executable).parent / "hallrate-server")

COMMANDS = [
    [],
    ["init"],
    ["serve"],
    ["hall", "add"],
    ["counter", "add"],
    ["staff", "add"],
    ["user", "add"],
    ["enroll-code"],
    ["demo"],
    ["devices"],
    ["escalate"],
    *(
        [kind, action]
        for kind in ("hall", "counter", "staff")
        for action in ("list", "edit", "disable", "enable")
    ),
    ["staff", "photo"],
    *(["user", action] for action in ("list", "edit")),
    ["scoring", "show"],
    ["scoring", "set"],
    ["scoring", "history"],
    *(["month", action] for action in ("close", "verify", "report", "list")),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: hallrate-server")


def test_the_installed_script_runs() -> None:
    result = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "enroll-code" in result.stdout


def run(db_url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = main(["--database-url", db_url, *args])
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def count(db_url: str, model: type) -> int:
    engine = make_engine(db_url, single_use=True)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_setting_up_a_hall_from_the_command_line(db_url: str) -> None:
    assert run(db_url, "init")[0] == 0
    assert run(db_url, "hall", "add", "h1", "--name", "一号大厅")[0] == 0
    assert run(db_url, "counter", "add", "c1", "--hall", "h1", "--name", "1号窗口")[0] == 0
    assert (
        run(db_url, "staff", "add", "s1", "--hall", "h1", "--name", "张三", "--counter", "c1")[0]
        == 0
    )
    code, out, _ = run(
        db_url,
        "user",
        "add",
        "lead",
        "--role",
        "supervisor",
        "--hall",
        "h1",
        "--password-stdin",
        stdin="long enough password\n",
    )
    assert code == 0, out
    code, out, _ = run(db_url, "enroll-code", "--counter", "c1")
    assert code == 0
    assert "enrollment code for counter c1:" in out
    assert "█" in out  # the QR drawn in the terminal
    code, out, _ = run(db_url, "devices")
    assert code == 0
    assert out.strip() == "no devices"
    assert (
        count(db_url, Hall),
        count(db_url, Counter),
        count(db_url, Staff),
        count(db_url, User),
    ) == (1, 1, 1, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["counter", "add", "c1", "--hall", "nowhere", "--name", "x"], "no hall 'nowhere'"),
        (["hall", "add", "h1", "--name", "again"], "already exists"),
        (["hall", "add", "bad id!", "--name", "x"], "must be 1–64"),
        (["hall", "add", "h2", "--name", "x", "--timezone", "Mars/Olympus"], "unknown timezone"),
        (["enroll-code", "--counter", "c404"], "no counter 'c404'"),
        (["user", "add", "x", "--role", "supervisor", "--password-stdin"], "needs a hall"),
        (["user", "add", "y", "--role", "admin", "--password-stdin"], "at least 10"),
    ],
    ids=[
        "unknown-hall",
        "duplicate-hall",
        "bad-id",
        "bad-timezone",
        "unknown-counter",
        "supervisor-without-hall",
        "short-password",
    ],
)
def test_mistakes_get_one_clear_line_and_exit_2(db_url: str, args: list[str], message: str) -> None:
    run(db_url, "hall", "add", "h1", "--name", "Hall")
    code, _, err = run(db_url, *args, stdin="short\n" if "y" in args else "long password\n")
    assert code == 2
    assert err.startswith("hallrate-server: error: ")
    assert message in err
    assert "Traceback" not in err


def test_commands_on_an_uninitialised_database_say_to_run_init(tmp_path: Path) -> None:
    code, _, err = run(f"sqlite:///{tmp_path / 'new.db'}", "hall", "add", "h1", "--name", "x")
    assert code == 2
    assert "hallrate-server init" in err


def test_an_unreachable_database_is_a_clear_error() -> None:
    code, _, err = run("postgresql+psycopg://nobody@127.0.0.1:1/none", "devices")
    assert code == 2
    assert "cannot open the database" in err


@pytest.mark.slow
def test_demo_builds_a_hall_with_thirty_days_of_ratings(db_url: str) -> None:
    code, out, _ = run(db_url, "demo")
    assert code == 0, out
    assert "6 counters" in out
    assert count(db_url, Rating) > 1000
    assert count(db_url, Device) == 6
    code, out, _ = run(db_url, "devices")
    assert out.count("yes") == 6
    # Something to look at in the console: open, overdue and closed alerts.
    engine = make_engine(db_url)
    with engine.connect() as conn:
        states = set(conn.execute(select(Alert.state)).scalars())
        overdue = conn.execute(
            select(func.count())
            .select_from(Alert)
            .where(Alert.state != "closed", Alert.due_at < datetime.now(UTC))
        ).scalar_one()
        closed_with_cause = conn.execute(
            select(func.count()).select_from(Alert).where(Alert.cause.is_not(None))
        ).scalar_one()
    assert {"open", "acknowledged", "closed"} <= states
    assert overdue > 0
    assert closed_with_cause > 0
    # A hall with a queue system: a session behind most ratings, most sessions rated, with
    # handling times around their matters' standards and mostly one-visit outcomes.
    with make_session_factory(engine)() as session:
        ratings = list(session.scalars(select(Rating)))
        period = session_figures(
            session, ["c01", "c06"], datetime.now(UTC) - timedelta(days=31), datetime.now(UTC)
        )
    engine.dispose()
    with_session = [r for r in ratings if r.session_id is not None]
    assert len(with_session) > 0.85 * len(ratings)
    for figures in period.counters.values():
        assert figures.participation_rate is not None
        assert Decimal("0.75") < figures.participation_rate < Decimal("0.95")
        assert figures.one_visit_rate is not None
        assert figures.one_visit_rate > Decimal("0.75")
        assert figures.mean_handling_minutes is not None
        assert 3 < figures.mean_handling_minutes < 20
    code, out, _ = run(db_url, "sessions", "--counter", "c01", "--days", "30", "--limit", "3")
    assert code == 0
    assert "participation" in out
    code, _, err = run(db_url, "demo")
    assert code == 2
    assert "already exists" in err


@pytest.mark.slow
def test_the_demo_hall_answered_most_past_low_scores_in_time(db_url: str) -> None:
    code, out, _ = run(db_url, "demo")
    assert code == 0, out
    engine = make_engine(db_url, single_use=True)
    try:
        with make_session_factory(engine)() as session:
            alerts = list(session.scalars(select(Alert).where(Alert.kind == "low_score")))
    finally:
        engine.dispose()
    closed = [a for a in alerts if a.state == "closed"]
    open_ = [a for a in alerts if a.state != "closed"]
    assert len(closed) > 0.7 * len(alerts)
    assert all(a.closed_at is not None and a.closed_at <= a.due_at for a in closed)
    assert all(a.public_reply for a in closed)
    assert not any(a.escalated for a in closed)
    # a few still open, of which exactly two are overdue and escalated
    assert open_
    assert len([a for a in open_ if a.escalated]) == 2
    # the server learned of each rating when it was made: none raised after its deadline
    assert all(a.created_at < a.due_at for a in alerts)


def _setup(db_url: str) -> None:
    assert run(db_url, "init")[0] == 0
    assert run(db_url, "hall", "add", "h1", "--name", "一号大厅")[0] == 0
    assert run(db_url, "counter", "add", "c1", "--hall", "h1", "--name", "1号窗口")[0] == 0
    assert run(db_url, "counter", "add", "c2", "--hall", "h1", "--name", "2号窗口")[0] == 0
    assert run(db_url, "staff", "add", "s1", "--hall", "h1", "--name", "张三")[0] == 0
    for name, role in (("root", "admin"), ("sup", "supervisor")):
        extra = ["--hall", "h1"] if role == "supervisor" else []
        args = ("user", "add", name, "--role", role, *extra, "--password-stdin")
        assert run(db_url, *args, stdin="long enough pw 7\n")[0] == 0


def test_listing_editing_and_disabling_from_the_command_line(db_url: str) -> None:
    _setup(db_url)
    code, out, _ = run(db_url, "hall", "edit", "h1", "--name", "示范大厅")
    assert code == 0
    assert "'一号大厅' -> '示范大厅'" in out
    assert run(db_url, "counter", "disable", "c2")[0] == 0
    code, out, _ = run(db_url, "counter", "list", "--hall", "h1")
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["yes", "no"]
    code, out, _ = run(db_url, "staff", "edit", "s1", "--counter", "c1", "--name", "李四")
    assert code == 0
    assert "counter_id: None -> 'c1'" in out
    assert run(db_url, "staff", "disable", "s1")[0] == 0
    _, out, _ = run(db_url, "staff", "list")
    assert "李四" in out
    assert " no " in out
    code, out, _ = run(db_url, "user", "edit", "sup", "--role", "auditor")
    assert code == 0
    assert "role: 'supervisor' -> 'auditor'" in out
    assert "hall_id: 'h1' -> None" in out
    assert run(db_url, "user", "disable", "sup")[0] == 0
    _, out, _ = run(db_url, "user", "list")
    assert [line.split() for line in out.splitlines()[1:]] == [
        ["root", "admin", "-", "yes"],
        ["sup", "auditor", "-", "no"],
    ]
    code, _, err = run(db_url, "user", "disable", "root")
    assert code == 2
    assert "last active admin" in err
    code, out, _ = run(
        db_url, "user", "set-password", "root", "--password-stdin", stdin="a new pass phrase"
    )
    assert code == 0
    assert "changed" in out
    engine = make_engine(db_url, single_use=True)
    try:
        with make_session_factory(engine)() as session:
            logged = session.execute(
                select(AuditEntry.username, AuditEntry.action).order_by(AuditEntry.id)
            ).all()
    finally:
        engine.dispose()
    assert {name for name, _ in logged} == {"cli"}
    assert [action for _, action in logged] == [
        "hall.create",
        "counter.create",
        "counter.create",
        "staff.create",
        "user.create",
        "user.create",
        "hall.edit",
        "counter.disable",
        "staff.edit",
        "staff.disable",
        "user.edit",
        "user.disable",
        "user.password_reset",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("hall", "edit", "nope", "--name", "x"), "no hall 'nope'"),
        (("counter", "enable", "c9"), "no counter 'c9'"),
        (("staff", "edit", "s1", "--counter", "c9"), "no counter 'c9' in hall 'h1'"),
        (("user", "edit", "sup", "--role", "supervisor", "--no-hall"), "needs a hall"),
        (("user", "set-password", "nobody", "--password-stdin"), "no user 'nobody'"),
        (("scoring", "set", "--weight", "attitude"), "DIMENSION=WEIGHT"),
        (("scoring", "set", "--weight", "attitude=0.9"), "sum to 1"),
        (("scoring", "set", "--deadline-hours", "24"), "nothing changed"),
        (("staff", "photo", "s1"), "give the photo file"),
    ],
)
def test_a_bad_edit_fails_with_one_clear_line(
    db_url: str, args: tuple[str, ...], message: str
) -> None:
    _setup(db_url)
    code, _out, err = run(db_url, *args, stdin="long enough pw 7\n")
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_scoring_settings_from_the_command_line_make_a_new_version(
    db_url: str, tmp_path: Path
) -> None:
    _setup(db_url)
    reasons = tmp_path / "reasons.json"
    reasons.write_text(
        '[{"code": "queue", "dimension": "efficiency", "zh": "排队久", "en": "Long queue"}]',
        encoding="utf-8",
    )
    code, out, _ = run(
        db_url,
        "scoring",
        "set",
        "--weight",
        "attitude=0.25",
        "--weight",
        "overall=0.05",
        "--deadline-hours",
        "12",
        "--reasons-file",
        str(reasons),
    )
    assert code == 0
    assert "was 2024.1" in out
    _, out, _ = run(db_url, "scoring", "show")
    assert '"attitude": "0.25"' in out
    assert '"alert_deadline_hours": 12' in out
    assert "排队久" in out
    _, out, _ = run(db_url, "scoring", "history")
    assert len(out.splitlines()) == 2
    assert "by" in out.splitlines()[0]


def test_a_staff_photo_from_the_command_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    monkeypatch.setenv("HALLRATE_PHOTO_DIR", str(tmp_path / "photos"))
    _setup(db_url)
    Image.new("RGB", (800, 600), (10, 200, 10)).save(tmp_path / "face.png")
    (tmp_path / "notes.txt").write_text("not a photo")
    code, out, _ = run(db_url, "staff", "photo", "s1", str(tmp_path / "face.png"))
    assert code == 0
    assert "photo_sha256: None ->" in out
    assert len(list((tmp_path / "photos").rglob("*.jpg"))) == 1
    code, _, err = run(db_url, "staff", "photo", "s1", str(tmp_path / "notes.txt"))
    assert code == 2
    assert "not a readable" in err
    code, out, _ = run(db_url, "staff", "photo", "s1", "--remove")
    assert code == 0
    assert "-> None" in out
