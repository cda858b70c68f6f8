"""The score badge's figures: the server's when fresh, otherwise computed from the local store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from kiosk.ui.services import AlertSummary, BadgeScores, PeriodFigures, ScoreOrigin, ScoreSource
from sync.protocol import Alert, CounterScores, PeriodScore

#: The server's scores are shown while its last answer is younger than this.
SERVER_FRESH_S = 600.0


class LocalCounterScores:
    """Today's and this month's aggregates of a counter from a `ScoreSource` (the local store).

    Days and months start at local midnight: a hall's "today" is the hall's, not UTC's.
    """

    def __init__(
        self, source: ScoreSource, now: Callable[[], datetime] = lambda: datetime.now().astimezone()
    ) -> None:
        self._source = source
        self._now = now

    def scores(self, counter_id: str) -> BadgeScores:
        now = self._now()
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        month = day.replace(day=1)
        return BadgeScores(
            today=PeriodFigures.of(self._source.counter_aggregate(counter_id, since=day)),
            month=PeriodFigures.of(self._source.counter_aggregate(counter_id, since=month)),
            origin=ScoreOrigin.LOCAL,
        )


class ServerState(Protocol):
    """What the sync loop kept of the server's answers (kiosk.store.Store provides it)."""

    def server_scores(self, counter_id: str) -> tuple[CounterScores, float] | None: ...

    def server_alerts(self, counter_id: str) -> list[Alert]: ...


def _figures(period: PeriodScore) -> PeriodFigures:
    mean = period.mean
    return PeriodFigures(period.count, None if mean is None else Decimal(str(mean)))


class ServerFirstScores:
    """The server's counter scores while its last answer is fresh (10 minutes), else local.

    The badge says which it shows, so staff know whether the hall-wide figures are current.
    """

    def __init__(
        self,
        state: ServerState,
        local: LocalCounterScores,
        clock: Callable[[], float],
        fresh_s: float = SERVER_FRESH_S,
    ) -> None:
        self._state = state
        self._local = local
        self._clock = clock
        self._fresh_s = fresh_s

    def scores(self, counter_id: str) -> BadgeScores:
        kept = self._state.server_scores(counter_id)
        if kept is not None:
            scores, received_ts = kept
            if self._clock() - received_ts < self._fresh_s:
                return BadgeScores(
                    today=_figures(scores.today),
                    month=_figures(scores.month),
                    origin=ScoreOrigin.SERVER,
                )
        return self._local.scores(counter_id)

    def alerts(self, counter_id: str) -> AlertSummary:
        alerts = self._state.server_alerts(counter_id)
        dues = [a.due_at for a in alerts]
        return AlertSummary(open=len(alerts), nearest_due=min(dues) if dues else None)
