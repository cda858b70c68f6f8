"""Protocol v1: the wire schemas both ends agree on (documented in docs/protocol.md).

Validation is strict: a score is an integer 1–5 (not "5", not 3.5, not true), timestamps
are RFC 3339 strings with an offset, ids are UUIDs, comments at most 500 characters. A sync
request's envelope is validated as a whole (422 when malformed), but its ratings and
sessions are validated one by one (`parse_items`), so that one bad rating never sinks the
rest of its batch.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from sync import receipt as receipt_rules

PROTOCOL_VERSION = 1
MAX_COMMENT_CHARS = 500
MAX_REASONS = 20
#: Whole-request limits; the server answers 413 past them and the client splits the batch.
MAX_BATCH_RATINGS = 1000
MAX_BATCH_BYTES = 2 * 1024 * 1024
#: Integers the server stores in 64-bit (seq) and 32-bit (queue depth) columns.
MAX_SEQ = 2**63 - 1
MAX_QUEUE_DEPTH = 2**31 - 1

Result = Literal["accepted", "duplicate", "conflict", "rejected"]
Channel = Literal["kiosk", "mobile"]

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_CANONICAL_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timestamp needs a UTC offset")
        return value
    if not isinstance(value, str):
        raise ValueError("timestamp must be an RFC 3339 string with an offset")
    match = _RFC3339.match(value)
    if not match:
        raise ValueError("timestamp must be an RFC 3339 string with an offset")
    text = value.upper().replace(" ", "T")
    if match.group(1) and len(match.group(1)) > 7:  # Python keeps microseconds at most
        text = text.replace(match.group(1).upper(), match.group(1)[:7], 1)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("timestamp is not a valid date and time") from None


def _uuid(value: str) -> str:
    if _CANONICAL_UUID.match(value):  # already in the form str(UUID) gives: skip the parse
        return value
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueError("must be a UUID string") from None
    return str(parsed)


def _code(value: str) -> str:
    if not _CODE.match(value):
        raise ValueError("must be a code of lower-case letters, digits, '_', '.', '-'")
    return value


def _receipt(value: str) -> str:
    if not receipt_rules.CODE_PATTERN.match(value):
        raise ValueError(f"must be {receipt_rules.CODE_CHARS} characters of Crockford base32")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _exact_int(value: Any) -> Any:
    # Literal[1] takes `true` and `1.0` as 1 (they compare equal), even in strict mode.
    if type(value) is not int:
        raise ValueError(f"must be an integer, not {type(value).__name__}")
    return value


#: The protocol version a message names: the integer 1, never `true` or `1.0`.
ProtocolVersion = Annotated[Literal[1], BeforeValidator(_exact_int)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
UUIDStr = Annotated[StrictStr, AfterValidator(_uuid)]
Code = Annotated[StrictStr, AfterValidator(_code)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
Stars = Annotated[StrictInt, Field(ge=1, le=5)]
ReceiptCode = Annotated[StrictStr, AfterValidator(_receipt)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Scores(_Model):
    attitude: Stars
    efficiency: Stars
    process: Stars
    environment: Stars
    overall: Stars


class Rating(_Model):
    """One citizen's rating as the kiosk sends it."""

    id: UUIDStr
    seq: Annotated[StrictInt, Field(ge=1, le=MAX_SEQ)]
    counter_id: Name
    staff_id: Name | None = None
    session_id: UUIDStr | None = None
    created_at: Timestamp
    scores: Scores
    reasons: Annotated[list[Code], Field(max_length=MAX_REASONS)] = []
    comment: Annotated[StrictStr, Field(max_length=MAX_COMMENT_CHARS), AfterValidator(_no_nul)] = ""
    channel: Channel = "kiosk"
    content_version: Annotated[StrictStr, Field(min_length=1, max_length=32)]
    #: Optional: the receipt code (sync/receipt.py) the citizen follows the rating by.
    receipt: ReceiptCode | None = None


_MATTER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def _matter_code(value: str) -> str:
    if not _MATTER_CODE.match(value):
        raise ValueError("must be a matter code of letters, digits, '_', '.', '-' (40 at most)")
    return value


#: A matter's code (事项编码) as the hall's catalog and queue system name it.
MatterCode = Annotated[StrictStr, AfterValidator(_matter_code)]


class Outcome(StrEnum):
    """How a service session ended."""

    #: Finished in this one visit (一次办结).
    ONE_VISIT = "one_visit"
    #: The citizen must come back (materials missing, waiting for another office).
    ANOTHER_VISIT = "another_visit"
    #: Sent to another counter or office.
    REFERRED = "referred"
    #: Started by mistake or the citizen left: no service, nothing to rate.
    CANCELLED = "cancelled"


#: Fields added to sessions after protocol v1 first shipped: a copy without them hashes as
#: before they existed, so a session stored then and sent again is still a duplicate.
SESSION_FIELDS_SINCE_V1 = frozenset({"matter_code", "outcome"})


class ServiceSession(_Model):
    """One service of one citizen at one counter.

    A session is sent when it starts and again when it ends; the second copy may only add
    `ended_at`, `outcome` and `finished_in_one_visit` (anything else is a conflict).
    `finished_in_one_visit` is true exactly for the outcome `one_visit`, null when cancelled.
    """

    id: UUIDStr
    counter_id: Name
    staff_id: Name | None = None
    ticket: Annotated[StrictStr, Field(max_length=32), AfterValidator(_no_nul)] | None = None
    started_at: Timestamp
    ended_at: Timestamp | None = None
    finished_in_one_visit: StrictBool | None = None
    matter_code: MatterCode | None = None
    outcome: Annotated[Outcome, Field(strict=False)] | None = None

    @model_validator(mode="after")
    def _consistent_end(self) -> ServiceSession:
        if self.outcome is not None and self.ended_at is None:
            raise ValueError("outcome needs ended_at")
        if self.outcome is not None and self.finished_in_one_visit is not None:
            expected = (
                None if self.outcome == Outcome.CANCELLED else self.outcome == Outcome.ONE_VISIT
            )
            if self.finished_in_one_visit is not expected:
                raise ValueError(
                    "finished_in_one_visit must be true for one_visit, false for another_visit "
                    "or referred, and null for cancelled"
                )
        return self


def finished_in_one_visit(outcome: Outcome) -> bool | None:
    """The `finished_in_one_visit` a session that ended with `outcome` carries."""
    return None if outcome == Outcome.CANCELLED else outcome == Outcome.ONE_VISIT


class Matter(_Model):
    """One entry of the hall's matter catalog (事项), as sync answers' config carry it."""

    code: MatterCode
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    standard_minutes: Annotated[StrictInt, Field(ge=1, le=24 * 60)] = 10


class SyncRequest(_Model):
    """The envelope of `POST /api/v1/sync`; items stay raw until `parse_items`."""

    protocol: ProtocolVersion
    batch_id: UUIDStr
    device_time: Timestamp
    queue_depth: Annotated[StrictInt, Field(ge=0, le=MAX_QUEUE_DEPTH)]
    app_version: Annotated[StrictStr, Field(min_length=1, max_length=32)]
    #: Device-clock `created_at` of the first rating still queued on the device behind this
    #: batch; absent when the batch empties the queue. Fleet health shows its age.
    oldest_pending_at: Timestamp | None = None
    ratings: Annotated[list[dict[str, Any]], Field(max_length=MAX_BATCH_RATINGS)] = []
    sessions: Annotated[list[dict[str, Any]], Field(max_length=MAX_BATCH_RATINGS)] = []


class PeriodScore(_Model):
    """A counter's aggregate over one period, as the server reports it."""

    count: StrictInt
    mean: float | None
    dimension_means: dict[str, float]
    low_rate: float | None
    satisfaction_rate: float | None
    rank: StrictInt | None = None
    ranked_counters: StrictInt | None = None


class CounterScores(_Model):
    counter_id: Name
    computed_at: Timestamp
    today: PeriodScore
    last_30_days: PeriodScore
    month: PeriodScore


class AlertKind(StrEnum):
    """What an alert is about: one low score, a counter's monthly low-score rate, or a
    surge of low scores at a counter (server only: sync answers carry the first two, which
    every kiosk knows)."""

    LOW_SCORE = "low_score"
    COUNTER_LOW_RATE = "counter_low_rate"
    COUNTER_SURGE = "counter_surge"


class AlertState(StrEnum):
    """The stages an alert is worked through, in order."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CALLED_BACK = "called_back"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class Alert(_Model):
    id: StrictStr
    # Not strict: the server fills these from its string columns.
    kind: Annotated[AlertKind, Field(strict=False)]
    counter_id: Name
    rating_id: UUIDStr | None = None
    state: Annotated[AlertState, Field(strict=False)]
    created_at: Timestamp
    due_at: Timestamp
    escalated: StrictBool = False


class SyncResponse(_Model):
    protocol: ProtocolVersion
    batch_id: UUIDStr
    server_time: Timestamp
    results: dict[str, Result]
    errors: dict[str, str] = {}
    counter_scores: CounterScores | None = None
    alerts: list[Alert] = []
    config: dict[str, Any] = {}


#: An enrollment code as typed on the kiosk (the server makes them 12 letters in groups).
ENROLL_CODE_MIN_CHARS = 4
ENROLL_CODE_MAX_CHARS = 64


class EnrollRequest(_Model):
    code: Annotated[
        StrictStr, Field(min_length=ENROLL_CODE_MIN_CHARS, max_length=ENROLL_CODE_MAX_CHARS)
    ]
    app_version: Annotated[StrictStr, Field(min_length=1, max_length=32)]


class Place(_Model):
    id: Name
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class EnrollResponse(_Model):
    device_id: StrictStr
    token: StrictStr
    counter: Place
    hall: Place
    config: dict[str, Any] = {}


class ErrorDetail(_Model):
    code: StrictStr
    message: StrictStr


class ErrorBody(_Model):
    error: ErrorDetail


M = TypeVar("M", bound=BaseModel)


def describe_error(exc: ValidationError) -> str:
    """A short, human sentence for a validation error: field path and what was wrong."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - 3
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def parse_items(
    model: type[M], raw_items: Sequence[dict[str, Any]]
) -> tuple[list[M], dict[str, str]]:
    """Validate items one by one: the valid ones, and an error per bad item keyed by its id.

    An item whose id is not even a string is keyed by its position (`#3`).
    """
    valid: list[M] = []
    errors: dict[str, str] = {}
    for position, raw in enumerate(raw_items):
        try:
            valid.append(model.model_validate(raw))
        except ValidationError as exc:
            item_id = raw.get("id")
            key = item_id[:64] if isinstance(item_id, str) and item_id else f"#{position}"
            errors[key] = describe_error(exc)
    return valid, errors
