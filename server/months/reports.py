"""Reports a hall hands on: the period report (PDF and XLSX) and a one-page report per
staff member. They show the month's figures as computed (or as closed) by service.py and
never compute a figure of their own: charts and tables read the same JSON.

PDF through weasyprint with the system's Noto CJK font (nothing fetched: the HTML names
no URL, charts are inline SVG); XLSX through openpyxl with native Excel charts.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Rating, Rectification
from server.months import labels
from server.months.figures import Json
from server.months.handling import StandardOf
from server.months.periods import Period, PeriodKind
from server.months.service import hall_clock, month_view
from server.privacy.masking import mask_personal_numbers
from server.settings import Settings

#: Months of history the trend shows before the report's own.
TREND_MONTHS = 5
#: Staff rows the PDF shows when a hall has more (the lowest and highest totals; every row
#: is in the XLSX): weasyprint lays out some 40 table rows a second on this machine.
PDF_STAFF_ROWS = 60
#: Low scores and adjustments the PDF lists (all of them are in the XLSX).
PDF_LOW_ROWS = 200
#: Comments shown on a staff member's page.
STAFF_COMMENTS = 8
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif'


class ReportError(ValueError):
    """A report that cannot be made (unknown staff member, unknown format)."""


@dataclass
class Report:
    figures: Json
    closed_at: datetime | None
    digest: str | None
    made_at: datetime
    orders: list[Rectification] = field(default_factory=list)
    #: (label, mean, low rate, ratings) of earlier months, oldest first, then this one.
    trend: list[tuple[str, str | None, str | None, int]] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)


def _comments(session: Session, figures: Json, settings: Settings) -> dict[str, list[str]]:
    """A few recent comments per staff member, phone and ID numbers masked."""
    clock = hall_clock(session, figures["hall"]["id"])
    period = Period(
        PeriodKind(figures["period"]["kind"]),
        figures["period"]["label"],
        datetime.fromisoformat(figures["period"]["start"]).date(),
        datetime.fromisoformat(figures["period"]["end"]).date(),
    )
    start, end = period.bounds(clock.zone)
    as_of = datetime.fromisoformat(figures["as_of"])
    counter_ids = [c["id"] for c in figures["counters"]]
    out: dict[str, list[str]] = {}
    if not counter_ids:
        return out
    rows = session.execute(
        select(Rating.staff_id, Rating.comment)
        .where(
            Rating.counter_id.in_(counter_ids),
            Rating.occurred_at >= start,
            Rating.occurred_at < end,
            Rating.received_at <= as_of,
            Rating.staff_id.is_not(None),
            Rating.comment != "",
        )
        .order_by(Rating.occurred_at.desc())
        .limit(2000)
    )
    for staff_id, comment in rows:
        bucket = out.setdefault(staff_id, [])
        if len(bucket) < STAFF_COMMENTS:
            bucket.append(mask_personal_numbers(comment))
    return out


def build_report(
    session: Session,
    settings: Settings,
    hall_id: str,
    period: Period,
    now: datetime,
    standard_of: StandardOf | None = None,
) -> Report:
    """What a report of `period` shows: the closed snapshot (or the live figures), the
    rectification orders of the hall, the trend of earlier months and staff comments."""
    view = month_view(session, settings, hall_id, period, now, standard_of)
    figures = view.figures
    trend: list[tuple[str, str | None, str | None, int]] = []
    if period.kind is PeriodKind.MONTH:
        months: list[Period] = []
        earlier = period
        for _ in range(TREND_MONTHS):
            earlier = earlier.previous()
            months.append(earlier)
        for month in reversed(months):
            past = month_view(
                session, settings, hall_id, month, now, standard_of, summary_only=True
            ).figures
            totals = past["totals"]
            trend.append((month.label, totals["mean"], totals["low_rate"], totals["ratings"]))
    totals = figures["totals"]
    trend.append((period.label, totals["mean"], totals["low_rate"], totals["ratings"]))
    orders = list(
        session.scalars(
            select(Rectification)
            .where(Rectification.hall_id == hall_id)
            .order_by(Rectification.month.desc(), Rectification.counter_id)
            .limit(500)
        )
    )
    return Report(
        figures=figures,
        closed_at=view.closed.closed_at if view.closed else None,
        digest=view.closed.digest if view.closed else None,
        made_at=now,
        orders=orders,
        trend=trend,
        comments=_comments(session, figures, settings),
    )


# --- charts (inline SVG, for the PDF) -------------------------------------------------


def _bar_chart(
    items: Sequence[tuple[str, float]], *, width: int = 640, maximum: float = 5.0
) -> Markup:
    """Horizontal bars, one per item (label, value 0..maximum)."""
    bar, gap, label_w = 14, 6, 150
    height = len(items) * (bar + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_FAMILY}\' font-size="10">'
    ]
    scale = (width - label_w - 50) / maximum
    for tick in range(int(maximum) + 1):
        x = label_w + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{tick}</text>')
    for i, (label, value) in enumerate(items):
        y = i * (bar + gap)
        colour = "#c0392b" if value < 3.5 else "#2e86c1"
        length = max(value, 0) * scale
        text_y = y + bar - 3
        parts.append(
            f'<text x="{label_w - 6}" y="{text_y}" text-anchor="end">{escape(label[:18])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{text_y}">{value:.2f}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    height: int = 180,
    maximum: float = 5.0,
    percent: bool = False,
) -> Markup:
    left, bottom, top = 40, 24, 10
    plot_w, plot_h = width - left - 20, height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_FAMILY}\' font-size="10">'
    ]
    ticks = 5
    for k in range(ticks + 1):
        tick = maximum * k / ticks
        y = top + plot_h - plot_h * k / ticks
        text = f"{tick * 100:.0f}%" if percent else f"{tick:.1f}"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{text}</text>')
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
        )
        if value is not None:
            y = top + plot_h - plot_h * min(value, maximum) / maximum
            coords.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2e86c1"/>')
    if len(coords) > 1:
        parts.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="#2e86c1" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _float(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_env.filters["num"] = labels.num
_env.filters["pct"] = labels.pct


def _local_time(zone: ZoneInfo) -> Callable[[str], str]:
    def show(iso: str) -> str:
        return f"{datetime.fromisoformat(iso).astimezone(zone):%Y-%m-%d %H:%M}"

    return show


def _context(report: Report) -> dict[str, Any]:
    figures = report.figures
    counters = figures["counters"]
    ranked = sorted(
        (c for c in counters if c["rank"] is not None), key=lambda c: (c["rank"], c["id"])
    )
    names = {c["id"]: c["name"] for c in counters}
    staff = sorted(figures["staff"], key=lambda s: (Decimal(s["points"]["total"]), s["id"]))
    if len(staff) > PDF_STAFF_ROWS:
        half = PDF_STAFF_ROWS // 2
        staff = staff[:half] + staff[-(PDF_STAFF_ROWS - half) :]
    chart_items = [(c["name"], float(Decimal(c["mean"]))) for c in ranked]
    if len(chart_items) > 40:  # a big hall: the 20 best and the 20 last
        chart_items = chart_items[:20] + chart_items[-20:]
    return {
        "f": figures,
        "r": report,
        "L": labels,
        "names": names,
        "staff_names": {s["id"]: s["name"] for s in figures["staff"]},
        "ranked": ranked,
        "unranked": [c for c in counters if c["rank"] is None],
        "staff_shown": staff,
        "LOW_ROWS": PDF_LOW_ROWS,
        "font": Markup(FONT_FAMILY),
        "local": _local_time(ZoneInfo(figures["hall"]["timezone"])),
        "means_chart": _bar_chart(chart_items) if chart_items else None,
        "trend_mean_chart": _line_chart([(t[0], _float(t[1])) for t in report.trend]),
        "trend_low_chart": _line_chart(
            [(t[0], _float(t[2])) for t in report.trend], maximum=0.5, percent=True
        ),
    }


def hall_report_html(report: Report) -> str:
    return _env.get_template("hall_report.html").render(**_context(report))


def staff_report_html(report: Report, staff_id: str) -> str:
    member = next((s for s in report.figures["staff"] if s["id"] == staff_id), None)
    if member is None:
        raise ReportError(
            f"no staff member {staff_id!r} in this hall's {report.figures['period']['label']}"
        )
    return _env.get_template("staff_report.html").render(
        **_context(report), s=member, comments=report.comments.get(staff_id, [])
    )


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    # No base URL and no URL in the HTML: nothing is fetched.
    return bytes(HTML(string=html).write_pdf())


def hall_report_pdf(report: Report) -> bytes:
    return _pdf(hall_report_html(report))


def staff_report_pdf(report: Report, staff_id: str) -> bytes:
    return _pdf(staff_report_html(report, staff_id))


# --- XLSX ---------------------------------------------------------------------------


def _n(value: str | None) -> float | None:
    """An exact figure as the spreadsheet's number (to 6 places)."""
    return None if value is None else round(float(Decimal(value)), 6)


def hall_report_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet per table, native bar and line charts."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    f = report.figures
    names = {c["id"]: c["name"] for c in f["counters"]}
    # Write-only: rows stream to the file (a big hall's low scores are tens of thousands).
    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Any:
        ws = wb.create_sheet(title)
        for i in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(i)].width = 14
        heading = []
        for text in header:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            heading.append(cell)
        ws.append(heading)
        for row in rows:
            ws.append(list(row))
        return ws

    summary = wb.create_sheet("概要")
    t = f["totals"]
    rows: list[tuple[str, object]] = [
        ("大厅", f["hall"]["name"]),
        ("大厅编号", f["hall"]["id"]),
        ("期间", f["period"]["label"]),
        ("状态", "已关闭" if report.closed_at else "未关闭（实时数据）"),
        ("关闭时间", report.closed_at.isoformat() if report.closed_at else ""),
        ("摘要值", report.digest or ""),
        ("规则版本", f["config_version"]),
        ("评价数", t["ratings"]),
        ("加权平均分", _n(t["mean"])),
        ("满意率", _n(t["satisfaction_rate"])),
        ("差评数", t["low_count"]),
        ("差评率", _n(t["low_rate"])),
        ("参评率", _n(t["participation_rate"])),
        ("差评按时处理数", t["low_answered_in_time"]),
        ("一次性办结率", _n(t["one_visit_rate"])),
        ("平均办理时长（分钟）", _n(t["handling"]["mean_minutes"]) if t["handling"] else None),
    ]
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 40
    for row in rows:
        summary.append(list(row))

    ranked = sorted(f["counters"], key=lambda c: (c["rank"] is None, c["rank"] or 0, c["id"]))
    ws = sheet(
        "排名",
        [
            "名次",
            "窗口编号",
            "窗口",
            "评价数",
            "平均分",
            "排名分（收缩）",
            "差评率",
            "满意率",
            "20%规则",
        ],
        [
            (
                c["rank"],
                c["id"],
                c["name"],
                c["ratings"],
                _n(c["mean"]),
                _n(c["shrunk_mean"]),
                _n(c["low_rate"]),
                _n(c["satisfaction_rate"]),
                labels.JUDGEMENT_ZH[c["judgement"]],
            )
            for c in ranked
        ],
    )
    if ranked:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各窗口平均分"
        chart.y_axis.title = "平均分"
        shown = min(len(ranked), 40)
        chart.add_data(
            Reference(ws, min_col=5, min_row=1, max_row=shown + 1), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=3, min_row=2, max_row=shown + 1))
        chart.height, chart.width = max(7.5, shown * 0.5), 18
        ws.add_chart(chart, "K2")

    def points_rows(units: Sequence[Json], staff: bool) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for u in units:
            p = u["points"]
            out.append(
                (
                    u["id"],
                    u["name"],
                    ",".join(u["counters"]) if staff else "",
                    u["ratings"],
                    _n(p["efficiency"]),
                    _n(p["satisfaction"]),
                    _n(p["total"]),
                    "; ".join(
                        f"{labels.RULES_ZH[line['rule']]} {Decimal(line['points']):+}"
                        for line in p["lines"]
                    ),
                )
            )
        return out

    header = ["编号", "名称", "窗口", "评价数", "效率积分", "满意度积分", "总积分", "明细"]
    sheet("窗口积分", header, points_rows(f["counters"], staff=False))
    sheet("人员积分", header, points_rows(f["staff"], staff=True))
    sheet(
        "差评处理",
        ["评价编号", "时间", "窗口", "人员", "加权分", "处理状态", "原因", "计入", "按时处理"],
        [
            (
                low["rating_id"],
                low["occurred_at"],
                names.get(low["counter_id"], low["counter_id"]),
                low["staff_id"] or "",
                _n(low["score"]),
                labels.STATE_ZH.get(low["state"], low["state"]),
                labels.CAUSES_ZH.get(low["cause"] or "", "未分类"),
                labels.CHARGED_ZH[low["charged_to"]],
                "是" if low["answered_in_time"] else "否",
            )
            for low in f["low_scores"]
        ],
    )
    sheet(
        "整改",
        [
            "月份",
            "窗口",
            "维度",
            "差评率",
            "状态",
            "责任人",
            "期限",
            "整改措施",
            "整改结果",
            "重开次数",
        ],
        [
            (
                o.month,
                names.get(o.counter_id, o.counter_id),
                labels.DIMENSIONS_ZH.get(o.dimension, o.dimension),
                float(o.low_rate),
                labels.RECTIFICATION_ZH.get(o.state, o.state),
                o.owner,
                o.due_at.isoformat(),
                o.actions,
                o.outcome or "",
                o.reopened,
            )
            for o in report.orders
        ],
    )
    sheet("约谈", ["窗口编号", "窗口"], [(cid, names.get(cid, cid)) for cid in f["formal_talks"]])
    ws = sheet(
        "趋势",
        ["期间", "平均分", "差评率", "评价数"],
        [(label, _n(mean), _n(low), n) for label, mean, low, n in report.trend],
    )
    line = LineChart()
    line.title = "月度平均分趋势"
    line.add_data(
        Reference(ws, min_col=2, min_row=1, max_row=len(report.trend) + 1), titles_from_data=True
    )
    line.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(report.trend) + 1))
    ws.add_chart(line, "F2")
    sheet(
        "调整",
        ["评价编号", "所属月份", "窗口", "人员", "发生时间", "收到时间", "加权分"],
        [
            (
                a["rating_id"],
                a["month"],
                names.get(a["counter_id"], a["counter_id"]),
                a["staff_id"] or "",
                a["occurred_at"],
                a["received_at"],
                _n(a["score"]),
            )
            for a in f.get("adjustments", [])
        ],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
