"""The score badge's figures computed from the local store's ratings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.ui.services import BadgeScores, ScoreOrigin, ScoreSource


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
            today=self._source.counter_aggregate(counter_id, since=day),
            month=self._source.counter_aggregate(counter_id, since=month),
            origin=ScoreOrigin.LOCAL,
        )
