"""`hallrate-server month close|verify|report|list` on a month of known data."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.models import MonthClose
from tests.server.conftest import Hall
from tests.server.month_data import add_rating, build_month, local
from tests.server.test_cli import run


@pytest.fixture
def month(factory: sessionmaker[Session], hall: Hall) -> Hall:
    with factory.begin() as session:
        build_month(session, hall.device_id)
    return hall


def test_closing_verifying_and_reporting_a_month_from_the_command_line(
    month: Hall, db_url: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    code, out, err = run(db_url, "month", "close", "2026-05", "--hall", "h1")
    assert code == 0, err
    assert "h1 2026-05: closed, 63 ratings, 1 counter(s) to rectify: c1" in out
    code, _, err = run(db_url, "month", "close", "2026-05", "--hall", "h1")
    assert code == 2
    assert "closed already" in err

    code, out, err = run(db_url, "month", "verify", "2026-05", "--hall", "h1")
    assert code == 0, err
    assert "h1 2026-05: OK" in out
    # A late rating changes nothing published; verify names it.
    with factory.begin() as session:
        add_rating(
            session, month.device_id, "c2", "s3", 1, local(30, 10), received_at=datetime.now(UTC)
        )
    code, out, _ = run(db_url, "month", "verify", "2026-05", "--hall", "h1")
    assert code == 0
    assert "since the close: 1 late rating(s)" in out
    assert "counters[c2].ratings: 30 -> 31" in out

    pdf = tmp_path / "h1-2026-05.pdf"
    code, out, err = run(db_url, "month", "report", "2026-05", "--hall", "h1", "--out", str(pdf))
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "First hall" in text.stdout
    assert "2026-05" in text.stdout
    xlsx = tmp_path / "h1-2026-05.xlsx"
    code, _, err = run(
        db_url, "month", "report", "2026-05", "--hall", "h1", "--format", "xlsx", "--out", str(xlsx)
    )
    assert code == 0, err
    assert load_workbook(xlsx)["概要"]["B8"].value == 63
    code, _, err = run(db_url, "month", "report", "2026-05", "--hall", "h1", "--out", str(xlsx))
    assert code == 2
    assert "exists" in err
    staff = tmp_path / "s1.pdf"
    code, _, err = run(
        db_url, "month", "report", "2026-05", "--hall", "h1", "--staff", "s1", "--out", str(staff)
    )
    assert code == 0, err
    week = tmp_path / "week.xlsx"
    code, _, err = run(db_url, "month", "report", "2026-W20", "--hall", "h1", "--out", str(week))
    assert code == 0, err
    code, out, _ = run(db_url, "month", "list")
    assert "2026-05" in out


def test_an_edited_snapshot_fails_verify(
    month: Hall, db_url: str, factory: sessionmaker[Session]
) -> None:
    assert run(db_url, "month", "close", "2026-05", "--hall", "h1")[0] == 0
    with factory.begin() as session:
        row = session.scalars(select(MonthClose)).one()
        row.figures = {**row.figures, "last_place": ["c1"]}
    code, out, _err = run(db_url, "month", "verify", "2026-05", "--hall", "h1")
    assert code == 2
    assert "DIFFERS" in out
    assert "does NOT match its digest" in out
    assert "last_place" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["month", "close", "2026-13", "--hall", "h1"], "is not a month"),
        (["month", "close", "2099-01", "--hall", "h1"], "has not ended"),
        (["month", "close", "2026-05", "--hall", "nope"], "no hall 'nope'"),
        (["month", "verify", "2026-04", "--hall", "h1"], "is not closed"),
        (["month", "report", "2026-05", "--hall", "h1", "--out", "x.txt"], "pdf or xlsx"),
    ],
)
def test_bad_month_commands_get_one_clear_line(
    month: Hall, db_url: str, args: list[str], message: str, tmp_path: Path
) -> None:
    code, _, err = run(db_url, *args)
    assert code == 2
    assert message in err
