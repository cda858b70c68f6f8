"""The reasons a citizen may give for a low score: chips on the kiosk, radio buttons on the
phone page. A region may replace them in the kiosk's configuration; these are the defaults
and what the server's phone page offers."""

from __future__ import annotations

from dataclasses import dataclass

#: Reasons are offered (and count) for a dimension rated this many stars or fewer, on the
#: kiosk and on the phone page alike.
REASONS_UP_TO_STARS = 2


@dataclass(frozen=True)
class Reason:
    """A reason chip offered when a dimension gets 1 or 2 stars. `code` is stable: it is what
    the rating records and the server counts, so relabelling a chip never changes history."""

    code: str
    dimension: str
    label_zh: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_zh if language == "zh_CN" else self.label_en


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason("attitude.harsh", "attitude", "态度生硬", "Rude manner"),
    Reason("attitude.shirking", "attitude", "推诿", "Passed the buck"),
    Reason("efficiency.long_wait", "efficiency", "等待时间长", "Long wait"),
    Reason("efficiency.many_trips", "efficiency", "多次跑腿", "Had to come back"),
    Reason("efficiency.slow", "efficiency", "办理慢", "Slow handling"),
    Reason("process.unclear_docs", "process", "材料要求不清", "Unclear paperwork"),
    Reason("process.not_told_once", "process", "未一次性告知", "Not told all at once"),
    Reason("environment.broken", "environment", "设施故障", "Broken facilities"),
    Reason("environment.untidy", "environment", "环境不整洁", "Untidy"),
    Reason("overall.unresolved", "overall", "问题未解决", "Not resolved"),
)
