"""The evaluation content in force: scoring settings and low-score reasons, versioned.

`scoring_in_force` is the one function every part of the server calls for the scoring
rules (ingest, alerts, scores, the phone page, the console); `content_in_force` adds the
low-score reasons. A change never edits a version: it adds a new one, which kiosks receive
in the `config` block of their next sync answer, and ratings keep the `content_version`
they were made with. With no version stored, sync/scoring.py's defaults are in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from server.content import repository
from server.models import ContentVersion
from server.problems import Phrase, Problem, phrase
from server.settings import Settings
from sync.reasons import DEFAULT_REASONS, Reason
from sync.scoring import DIMENSION_CODES, ScoringConfig, ScoringConfigError

#: What a reason code may look like: the protocol's `Code` (sync/protocol.py).
_REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
MAX_REASONS = 60
MAX_DEADLINE_HOURS = 24 * 30


class ContentError(Problem):
    """Scoring settings or reasons that cannot be put in force."""


@dataclass(frozen=True)
class Content:
    """One version of the evaluation content."""

    scoring: ScoringConfig
    reasons: tuple[Reason, ...]
    created_at: datetime | None = None
    created_by: str | None = None

    @property
    def version(self) -> str:
        return self.scoring.version


def _scoring_dict(config: ScoringConfig) -> dict[str, Any]:
    return dict(config.to_mapping())


def _reasons_list(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    return [
        {"code": r.code, "dimension": r.dimension, "zh": r.label_zh, "en": r.label_en}
        for r in reasons
    ]


def _from_row(row: ContentVersion, default: ScoringConfig | None = None) -> Content:
    """A stored version; the settings a version does not carry (the points, the 20% rule's
    minimum sample) come from `default` (the server's configured rules)."""
    base = default.rules_mapping() if default is not None else {}
    scoring = ScoringConfig.from_mapping({**base, **row.scoring})
    reasons = tuple(Reason(r["code"], r["dimension"], r["zh"], r["en"]) for r in row.reasons)
    return Content(scoring, reasons, row.created_at, row.created_by)


def content_in_force(session: Session, settings: Settings) -> Content:
    """The newest content version, or the built-in defaults when none is stored."""
    row = repository.newest(session)
    if row is None:
        return Content(settings.default_scoring, DEFAULT_REASONS)
    return _from_row(row, settings.default_scoring)


def scoring_in_force(session: Session, settings: Settings) -> ScoringConfig:
    """The scoring rules in force: weights, thresholds, alert deadline, version."""
    return content_in_force(session, settings).scoring


def scoring_in_force_at(session: Session, settings: Settings, moment: datetime) -> ScoringConfig:
    """The scoring rules that were in force at `moment`: the newest version made before it
    (what a month is computed with, at its end)."""
    row = repository.newest_before(session, moment)
    if row is None:
        return settings.default_scoring
    return _from_row(row, settings.default_scoring).scoring


def reasons_in_force(session: Session, settings: Settings) -> tuple[Reason, ...]:
    return content_in_force(session, settings).reasons


def content_of_version(session: Session, version: str, settings: Settings) -> Content | None:
    """A past version by name (what a rating's `content_version` names), if the server made
    it; the built-in default version is always known."""
    row = repository.by_version(session, version)
    if row is not None:
        return _from_row(row, settings.default_scoring)
    if version == settings.default_scoring.version:
        return Content(settings.default_scoring, DEFAULT_REASONS)
    return None


def config_block(content: Content) -> dict[str, Any]:
    """The `scoring` and `reasons` keys of the sync answer's `config` (docs/protocol.md)."""
    return {"scoring": _scoring_dict(content.scoring), "reasons": _reasons_list(content.reasons)}


def parse_reasons(items: Sequence[Mapping[str, Any]], dimensions: Sequence[str]) -> list[Reason]:
    """Reasons from `{"code", "dimension", "zh", "en"}` mappings, checked."""
    if len(items) > MAX_REASONS:
        raise ContentError("at most {n} reasons", n=MAX_REASONS)
    seen: set[str] = set()
    reasons: list[Reason] = []
    for item in items:
        code = str(item.get("code", "")).strip()
        dimension = str(item.get("dimension", "")).strip()
        zh = str(item.get("zh", "")).strip()
        en = str(item.get("en", "")).strip()
        if not _REASON_CODE.match(code):
            raise ContentError(
                "reason code {code!r} must be 1–40 of a-z, 0-9, '_', '.', '-' "
                "starting with a letter or digit",
                code=code,
            )
        if code in seen:
            raise ContentError("reason code {code!r} appears twice", code=code)
        seen.add(code)
        if dimension not in dimensions:
            raise ContentError(
                "reason {code!r}: unknown dimension {dimension!r}", code=code, dimension=dimension
            )
        for label in (zh, en):
            if not label or len(label) > 40 or "\x00" in label:
                raise ContentError("reason {code!r}: each label is 1–40 characters", code=code)
        reasons.append(Reason(code, dimension, zh, en))
    return reasons


def _decimal(name: Phrase, value: object) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ContentError(
            "{what} must be a number, got {value!r}", what=name, value=value
        ) from None
    if not number.is_finite():
        raise ContentError("{what} must be a finite number", what=name)
    return number


def _next_version(session: Session, now: datetime) -> str:
    """`YYYY.MM.DD-N`: the date and the count of versions stored so far, plus one."""
    return f"{now:%Y.%m.%d}-{repository.count(session) + 1}"


def change_content(
    session: Session,
    settings: Settings,
    *,
    weights: Mapping[str, object] | None = None,
    low_score_below: object | None = None,
    alert_deadline_hours: object | None = None,
    reasons: Sequence[Mapping[str, Any]] | None = None,
    by: str,
    now: datetime,
) -> tuple[Content, Content]:
    """Put a new content version in force; (the one before, the new one).

    Settings left as None keep their value in force. Nothing is stored when the result
    would equal what is in force (ContentError says so).
    """
    before = content_in_force(session, settings)
    scoring = _scoring_dict(before.scoring)
    if weights is not None:
        unknown = sorted(set(weights) - set(DIMENSION_CODES))
        if unknown:
            raise ContentError("unknown dimension {names}", names=", ".join(unknown))
        missing = sorted(set(DIMENSION_CODES) - set(weights))
        if missing:
            # Protocol v1 rates exactly these five dimensions (sync.protocol.Scores).
            raise ContentError("a weight is needed for {names}", names=", ".join(missing))
        scoring["weights"] = {
            code: str(_decimal(phrase("the weight of {dimension}", dimension=code), weights[code]))
            for code in DIMENSION_CODES
        }
    if low_score_below is not None:
        threshold = _decimal(phrase("the low-score threshold"), low_score_below)
        if not Decimal(1) < threshold <= Decimal(5):
            raise ContentError("the low-score threshold must be above 1 and at most 5")
        scoring["low_score_below"] = str(threshold)
    if alert_deadline_hours is not None:
        hours = _decimal(phrase("the alert deadline"), alert_deadline_hours)
        if hours != hours.to_integral_value() or not 1 <= hours <= MAX_DEADLINE_HOURS:
            raise ContentError(
                "the alert deadline is a whole number of hours, 1–{n}", n=MAX_DEADLINE_HOURS
            )
        scoring["alert_deadline_hours"] = int(hours)
    new_reasons = (
        parse_reasons(reasons, DIMENSION_CODES) if reasons is not None else list(before.reasons)
    )
    if scoring == _scoring_dict(before.scoring) and new_reasons == list(before.reasons):
        raise ContentError("nothing changed: the settings are those in force")
    scoring["version"] = _next_version(session, now)
    try:
        config = ScoringConfig.from_mapping(scoring)
    except ScoringConfigError as exc:
        raise ContentError(str(exc)) from None
    if repository.by_version(session, config.version) is not None:
        raise ContentError("version {version!r} exists already; try again", version=config.version)
    row = ContentVersion(
        version=config.version,
        scoring=_scoring_dict(config),
        reasons=_reasons_list(new_reasons),
        created_at=now,
        created_by=by[:64],
    )
    session.add(row)
    session.flush()
    return before, _from_row(row)


def summary(content: Content) -> dict[str, Any]:
    """What the audit log keeps of a version (before and after of a change)."""
    return {**_scoring_dict(content.scoring), "reasons": _reasons_list(content.reasons)}
