"""The words reports and pages put on the month's codes (Chinese first, English too)."""

from __future__ import annotations

from decimal import Decimal

RULES_ZH = {
    "efficiency_base": "效率积分基础分",
    "handling_minutes": "平均办理时长（对照事项标准）",
    "one_visit_rate": "一次性办结率",
    "satisfaction_base": "满意度积分基础分",
    "mean_rating": "群众评价平均分",
    "answered_in_time_rate": "差评按时处理率",
    "no_low_score": "当月零差评",
}
RULES_EN = {
    "efficiency_base": "Efficiency base",
    "handling_minutes": "Mean handling time (against the matters' standards)",
    "one_visit_rate": "One-visit completion rate",
    "satisfaction_base": "Satisfaction base",
    "mean_rating": "Mean rating",
    "answered_in_time_rate": "Low scores answered in time",
    "no_low_score": "No low score this month",
}
CAUSES_ZH = {
    "staff": "工作人员原因",
    "process": "流程/政策原因",
    "system": "系统原因",
    "waiting": "排队等候",
    "facilities": "设施原因",
    "misunderstanding": "群众误解",
    "not_verifiable": "无法核实",
}
CHARGED_ZH = {"staff": "计入工作人员", "department": "计入主管部门", "nobody": "不计入"}
JUDGEMENT_ZH = {
    "too_few": "评价数不足，不作判定",
    "within_limit": "未超过限值",
    "over_limit": "差评率超限，须整改",
}
JUDGEMENT_EN = {
    "too_few": "Too few ratings to judge",
    "within_limit": "Within the limit",
    "over_limit": "Over the limit: must rectify",
}
STATE_ZH = {
    "open": "待处理",
    "acknowledged": "已受理",
    "called_back": "已回访",
    "rectified": "已整改",
    "closed": "已办结",
    None: "无提醒",
}
RECTIFICATION_ZH = {"open": "整改中", "rectified": "已整改，复测中", "closed": "已销号"}
DIMENSIONS_ZH = {
    "attitude": "服务态度",
    "efficiency": "办事效率",
    "process": "流程规范",
    "environment": "环境与设施",
    "overall": "综合满意度",
}
KIND_ZH = {"month": "月度", "week": "周", "quarter": "季度"}


def num(value: str | Decimal | None, places: int = 2) -> str:
    """A figure for people: 2 decimals, "—" when there is none."""
    if value is None:
        return "—"
    return f"{Decimal(value):.{places}f}"


def pct(value: str | Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.1f}%"
