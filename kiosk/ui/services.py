"""The narrow services the UI is given in its constructors, as Protocols.

Screens and the flow controller depend on these, never on the store or the sync thread
themselves: `kiosk.store.Store` satisfies the store's, `kiosk.ui.scores.ServerFirstScores`
the badge's (the server's figures while fresh, else the store's), and
`kiosk.syncworker.SyncController` the sync loop's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from kiosk.device import SyncStatus
from sync.protocol import Channel
from sync.reasons import Reason
from sync.receipt import MobileGrant
from sync.scoring import Aggregate, ScoringConfig


class RecordedRating(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def weighted_score(self) -> Decimal: ...

    @property
    def receipt(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


class RatingSink(Protocol):
    """Where a submitted rating goes: one durable commit, a millisecond, on the GUI thread."""

    def record_rating(
        self,
        *,
        counter_id: str,
        staff_id: str | None,
        session_id: str | None,
        scores: dict[str, int],
        reasons: list[str],
        comment: str,
        channel: Channel = ...,
        content_version: str | None = ...,
    ) -> RecordedRating: ...


class ScoreSource(Protocol):
    """Counter aggregates over a period (the local store computes them from its ratings)."""

    def counter_aggregate(
        self, counter_id: str, since: datetime, until: datetime | None = None
    ) -> Aggregate: ...


class SettingsStore(Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...


class StoreStatusLike(Protocol):
    @property
    def ratings(self) -> int: ...

    @property
    def pending(self) -> int: ...

    @property
    def dead(self) -> int: ...

    @property
    def last_error(self) -> str | None: ...

    @property
    def content_version(self) -> str: ...


class StatusSource(Protocol):
    def status(self) -> StoreStatusLike: ...


class QrLinks(Protocol):
    """The addresses the QR codes show: the phone-rating page while the kiosk holds a valid
    token from the server, and a rating's receipt page once the server's address is known."""

    def phone_rating(self, now_ts: float) -> MobileGrant | None: ...

    def receipt_url(self, code: str) -> str | None: ...


class StaffEntry(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def counter_id(self) -> str | None: ...


class HallContent(Protocol):
    """What the server last said about the rating content and the hall
    (`kiosk.content.ServerContent`): the scoring rules in force, the low-score reasons
    admins set on the console (None: keep the kiosk's own), the hall's staff."""

    def scoring(self) -> ScoringConfig: ...

    def reasons(self) -> tuple[Reason, ...] | None: ...

    def staff(self) -> Sequence[StaffEntry]: ...


class Speaker(Protocol):
    """Says a prompt aloud, or silently does nothing when no speech engine is present."""

    def say(self, text: str, language: str) -> None: ...


class ScoreOrigin(Enum):
    """Which figures the score badge shows, so a citizen (and staff) can tell."""

    LOCAL = "local"
    SERVER = "server"


@dataclass(frozen=True)
class PeriodFigures:
    """What the badge shows of one period: the mean weighted score and how many ratings."""

    count: int
    mean: Decimal | None

    @classmethod
    def of(cls, aggregate: Aggregate) -> PeriodFigures:
        return cls(aggregate.count, aggregate.mean)


@dataclass(frozen=True)
class BadgeScores:
    today: PeriodFigures
    month: PeriodFigures
    origin: ScoreOrigin


@dataclass(frozen=True)
class AlertSummary:
    """What staff may see of open alerts on a screen citizens also see: no content."""

    open: int
    nearest_due: datetime | None


class CounterScores(Protocol):
    """The live score badge's figures for one counter (today and this month), and what
    staff may see of its open alerts."""

    def scores(self, counter_id: str) -> BadgeScores: ...

    def alerts(self, counter_id: str) -> AlertSummary: ...


class SyncCommands(Protocol):
    """What the screens may ask of the sync loop (kiosk.syncworker.SyncController). Its
    answers come back as signals the wiring connects to the flow controller's slots."""

    def rating_recorded(self) -> None: ...

    def sync_now(self) -> None: ...

    def enroll(self, server_url: str, code: str) -> None: ...

    def export(self, folder: str) -> None: ...

    def status(self) -> SyncStatus: ...


@dataclass(frozen=True)
class RatingDraft:
    """What a citizen has entered on the rate screen so far."""

    scores: Mapping[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    comment: str = ""
