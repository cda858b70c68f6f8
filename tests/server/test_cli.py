"""hallrate-server: every command has --help, does its job and fails with a clear message."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.cli import main
from server.database import make_engine, make_session_factory
from server.models import Alert, Counter, Device, Hall, Rating, Staff, User

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
        (["user", "add", "y", "--role", "admin", "--password-stdin"], "at least 8"),
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
    engine.dispose()
    assert {"open", "acknowledged", "closed"} <= states
    assert overdue > 0
    assert closed_with_cause > 0
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
