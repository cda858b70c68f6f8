"""The month's reports: the PDF's text and the XLSX's cells carry the database's figures."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from sqlalchemy.orm import Session, sessionmaker

from server.months import reports
from server.months.periods import parse_month
from server.months.service import close_month
from server.settings import Settings
from tests.server.conftest import Hall
from tests.server.month_data import add_rating, build_month, local

MAY = parse_month("2026-05")
AFTER = local(3, 9, month=6)
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def report(factory: sessionmaker[Session], hall: Hall, settings: Settings) -> reports.Report:
    with factory.begin() as session:
        build_month(session, hall.device_id)
        add_rating(
            session,
            hall.device_id,
            "c1",
            "s1",
            5,
            local(28, 10),
        )
    with factory.begin() as session:
        close_month(session, settings, "h1", "2026-05", now=AFTER)
    with factory() as session:
        return reports.build_report(session, settings, "h1", MAY, AFTER)


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def render_pages(path: Path, out: Path) -> list[Path]:
    pdf = pypdfium2.PdfDocument(str(path))
    pages = []
    for i in range(len(pdf)):
        image = pdf[i].render(scale=1.5).to_pil()
        target = out / f"{path.stem}-{i + 1}.png"
        image.save(target)
        pages.append(target)
    return pages


@sqlite_only
def test_the_hall_pdf_names_the_hall_the_month_and_the_databases_figures(
    report: reports.Report, tmp_path: Path
) -> None:
    path = tmp_path / "hall-2026-05.pdf"
    path.write_bytes(reports.hall_report_pdf(report))
    text = pdf_text(path)
    assert "First hall" in text
    assert "2026-05" in text
    totals = report.figures["totals"]
    assert totals["ratings"] == 64
    assert "64" in text
    assert f"{Decimal(totals['mean']):.2f}" in text
    # In reading order, with a table cell's Chinese wrapped over two lines joined again.
    joined = "".join(pdf_text(path, "-raw").split())
    assert "差评率超限，须整改" in joined  # c1
    assert "评价数不足，不作判定" in joined  # c3
    c1 = next(c for c in report.figures["counters"] if c["id"] == "c1")
    assert f"{Decimal(c1['points']['total']):.2f}" in text
    assert "约谈" in text
    pages = render_pages(path, tmp_path)
    assert len(pages) >= 2
    # Rendered Chinese is ink, not blank boxes: the page has plenty of dark pixels.
    first = pypdfium2.PdfDocument(str(path))[0].render(scale=1).to_pil().convert("L")
    dark = sum(first.histogram()[:128])
    assert dark > 10_000


@sqlite_only
def test_the_staff_page_is_one_page_with_the_points_breakdown(
    report: reports.Report, tmp_path: Path
) -> None:
    path = tmp_path / "s2.pdf"
    path.write_bytes(reports.staff_report_pdf(report, "s2"))
    assert len(pypdfium2.PdfDocument(str(path))) == 1
    text = pdf_text(path)
    assert "Staff s2" in text
    assert "78.20" in text  # 0.4 x 68 + 0.6 x 85
    assert "一次性办结率" in text
    assert "-30.00" in text
    with pytest.raises(reports.ReportError):
        reports.staff_report_pdf(report, "nobody")


@sqlite_only
def test_the_xlsx_opens_and_its_figures_equal_the_databases(
    report: reports.Report, tmp_path: Path
) -> None:
    path = tmp_path / "hall.xlsx"
    path.write_bytes(reports.hall_report_xlsx(report))
    book = load_workbook(path)
    assert book.sheetnames[0] == "概要"
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True)}
    assert summary["大厅"] == "First hall"
    assert summary["期间"] == "2026-05"
    assert summary["评价数"] == 64
    assert summary["加权平均分"] == pytest.approx(float(Decimal(report.figures["totals"]["mean"])))
    ranking = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in ranking] == [(1, "c1", 31), (2, "c2", 30), (3, "c3", 3)]
    points = {r[0]: r[6] for r in book["窗口积分"].iter_rows(min_row=2, values_only=True)}
    expected = {c["id"]: float(Decimal(c["points"]["total"])) for c in report.figures["counters"]}
    assert points == expected
    staff = {r[0]: r[6] for r in book["人员积分"].iter_rows(min_row=2, values_only=True)}
    assert staff["s2"] == pytest.approx(78.2)
    assert len(list(book["差评处理"].iter_rows(min_row=2))) == 16
    assert isinstance(book["排名"]._charts[0], BarChart)
    assert isinstance(book["趋势"]._charts[0], LineChart)
    orders = list(book["整改"].iter_rows(min_row=2, values_only=True))
    assert [(o[0], o[1]) for o in orders] == [("2026-05", "Counter 1")]
