"""The server's tables (SQLAlchemy 2.0). Alembic migrations in server/migrations mirror them.

Times are stored in UTC and come back timezone-aware on SQLite and PostgreSQL alike.
Weighted scores are stored as integers in units of 1/10,000 (`SCORE_SCALE`) so that sums
stay exact on both databases (SQLite has no exact decimal type).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The alert vocabulary is the protocol's: kiosks receive these values in sync answers.
from sync.protocol import AlertKind as AlertKind
from sync.protocol import AlertState as AlertState

#: Weighted scores are stored multiplied by this (weights have at most 4 decimals).
SCORE_SCALE = 10_000

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC (SQLite would otherwise drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a UTC offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Hall(Base):
    __tablename__ = "halls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: A disabled hall keeps its history; no new counter, staff or enrollment code.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    __tablename__ = "counters"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    #: A disabled counter keeps its history; its kiosk is revoked and no code is made for it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), index=True)
    counter_id: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    #: Disabled staff no longer appear on the kiosks' staff list.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: SHA-256 of the staff photo (a JPEG in the photo folder, not in the database).
    photo_sha256: Mapped[str | None] = mapped_column(String(64))


class Device(Base):
    """One enrolled kiosk install. Only the SHA-256 of its token is kept."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    enrolled_at: Mapped[datetime]
    last_contact_at: Mapped[datetime | None]
    app_version: Mapped[str] = mapped_column(String(32))
    queue_depth: Mapped[int] = mapped_column(Integer, default=0)
    #: When the oldest rating the device still held undelivered at its last contact was
    #: made, on the server's clock (the device's time plus its clock offset).
    oldest_pending_at: Mapped[datetime | None]
    #: Server time minus device time at the last contact, in seconds.
    clock_offset_s: Mapped[float] = mapped_column(default=0.0)
    clock_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    highest_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Missing `seq` ranges below `highest_seq`, as [[first, last], ...].
    seq_gaps: Mapped[list[Any]] = mapped_column(default=list)
    ratings_received: Mapped[int] = mapped_column(BigInteger, default=0)
    #: When an admin revoked the device's token (`hallrate-server device revoke`); a revoked
    #: device stays inactive until a new enrollment replaces it.
    revoked_at: Mapped[datetime | None]
    #: The device's offline-bundle key (sync/bundle.py, derived from its token) XORed with a
    #: pad derived from the server's secret key, hex: a copy of the database alone cannot
    #: seal a bundle. Filled at enrollment and refreshed at every sync.
    bundle_key_wrapped: Mapped[str | None] = mapped_column(String(64))
    #: Which secret wrapped it (a short fingerprint), so a rotated secret re-wraps at sync.
    bundle_key_secret_id: Mapped[str | None] = mapped_column(String(16))


class EnrollmentCode(Base):
    """A one-time, expiring code an admin makes for a counter; only its hash is kept."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))


class RatingFlag(enum.IntFlag):
    NONE = 0
    #: The device clock was off by more than the limit; `occurred_at` is corrected.
    CLOCK_CORRECTED = 1
    #: The rating names a content version other than the server's scoring version.
    OTHER_CONTENT_VERSION = 2
    #: Its service session had a rating already (一次一评): stored and shown, but counted
    #: in no figure, rollup or alert (`COUNTED_FLAGS_MASK`).
    EXCLUDED_DUPLICATE = 4
    #: It names a staff member who is not on the counter's roster.
    UNKNOWN_STAFF = 8


#: A rating with any of these flags counts in no figure: `flags & mask == 0` selects the
#: counted ones.
EXCLUDED_FLAGS_MASK = int(RatingFlag.EXCLUDED_DUPLICATE)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        Index("ix_ratings_counter_id_occurred_at", "counter_id", "occurred_at"),
        Index("ix_ratings_device_id_seq", "device_id", "seq"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"))
    staff_id: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    #: As the device said (device clock, its own offset kept).
    created_at: Mapped[datetime]
    #: When it happened on the server's clock: `created_at` corrected for a flagged clock.
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    attitude: Mapped[int] = mapped_column(SmallInteger)
    efficiency: Mapped[int] = mapped_column(SmallInteger)
    process: Mapped[int] = mapped_column(SmallInteger)
    environment: Mapped[int] = mapped_column(SmallInteger)
    overall: Mapped[int] = mapped_column(SmallInteger)
    #: Weighted score x SCORE_SCALE.
    weighted_score: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(SmallInteger)
    is_low: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    content_version: Mapped[str] = mapped_column(String(32))
    #: SHA-256 of the rating as sent; the same id with another hash is a conflict.
    content_hash: Mapped[str] = mapped_column(String(64))
    flags: Mapped[int] = mapped_column(Integer, default=0)
    #: The code the citizen follows the rating by on `/r/<code>` (sync/receipt.py). Not
    #: unique: a device could send another's code, and the first stored keeps it.
    receipt_code: Mapped[str | None] = mapped_column(String(16), index=True)


class ServiceSession(Base):
    __tablename__ = "service_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    staff_id: Mapped[str | None] = mapped_column(String(64))
    ticket: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    finished_in_one_visit: Mapped[bool | None] = mapped_column(Boolean)
    received_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The matter served (a `Matter` code; kept as sent even when not in the catalog).
    matter_code: Mapped[str | None] = mapped_column(String(40))
    #: How it ended (sync.protocol.Outcome): one_visit, another_visit, referred, cancelled.
    outcome: Mapped[str | None] = mapped_column(String(16))
    #: Seconds from start to end; null while open, when cancelled, or when the device's
    #: clock put the end before the start.
    handling_s: Mapped[int | None] = mapped_column(Integer)
    #: The staff member is not on the counter's roster (a typo in the queue system, a
    #: colleague from another hall): kept, and shown for a supervisor to sort out.
    unknown_staff: Mapped[bool] = mapped_column(Boolean, default=False)


class Matter(Base):
    """The matter catalog (事项目录): what citizens come for, with the standard handling
    time a session's handling time is compared against. Sent to kiosks with the config."""

    __tablename__ = "matters"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    standard_minutes: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class AlertCause(enum.StrEnum):
    """The class a closed low score is given (GB/T 39734 差评分类)."""

    STAFF = "staff"
    PROCESS = "process"
    SYSTEM = "system"
    WAITING = "waiting"
    FACILITIES = "facilities"
    MISUNDERSTANDING = "misunderstanding"
    NOT_VERIFIABLE = "not_verifiable"


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        # One counter alert per counter and month; one low-score alert per rating.
        UniqueConstraint("counter_id", "kind", "period", name="uq_alerts_counter_kind_period"),
        Index("ix_alerts_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    rating_id: Mapped[str | None] = mapped_column(ForeignKey("ratings.id"), unique=True)
    #: "2024-05" for a counter alert; the rating id for a low-score alert.
    period: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=AlertState.OPEN.value)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    called_back_at: Mapped[datetime | None]
    rectified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: What the supervisor tells the citizen on the receipt page (整改结果反馈); shown escaped.
    public_reply: Mapped[str | None] = mapped_column(Text)
    public_reply_at: Mapped[datetime | None]
    #: When the rating was made (server clock); `created_at` is when the server learned of
    #: it, and deadlines count from then. `learn_delay_s` is the difference.
    rating_made_at: Mapped[datetime | None]
    learn_delay_s: Mapped[int] = mapped_column(Integer, default=0)
    #: Each stage's deadline from the hall's alert profile, {"acknowledge": ISO time, ...};
    #: `due_at` is the next stage's.
    stage_due: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: 0: with the hall's supervisors; 1: escalated to the hall manager; 2: to the
    #: supervising office (督查). `level_due_at`: the current level's deadline.
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    level_due_at: Mapped[datetime | None]
    #: The citizen's word on the handling, from the receipt page (once).
    citizen_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    citizen_feedback_at: Mapped[datetime | None]
    #: The person the alert is assigned to (a user who may work the hall's alerts).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when the alert is closed: why the score was low (`AlertCause`).
    cause: Mapped[str | None] = mapped_column(String(32))


class AlertEvent(Base):
    """What a supervisor did about an alert, and when (the audit trail)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    #: What the step recorded besides the note: {"reached": bool}, {"assignee_id": n},
    #: {"cause": "..."}.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime]


class MobileTokenUse(Base):
    """A phone-rating token that has been spent: each is good for one rating (一次一评)."""

    __tablename__ = "mobile_token_uses"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"))
    rating_id: Mapped[str] = mapped_column(ForeignKey("ratings.id"))
    used_at: Mapped[datetime]


class SessionRating(Base):
    """The one rating a service session has (一次一评), claimed by primary key: of two
    ratings for one session arriving at once, the database lets exactly one in."""

    __tablename__ = "session_ratings"

    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rating_id: Mapped[str] = mapped_column(String(36))


class RateLimitCount(Base):
    """Events of one kind from one key (a client address) in one fixed window, counted
    with a single atomic upsert so that parallel requests and workers share one count."""

    __tablename__ = "rate_limit_counts"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CounterDayRollup(Base):
    """Per counter and local day sums, so that a period's scores are read without scanning
    ratings. Kept in the same transaction as the ratings they sum."""

    __tablename__ = "counter_day_rollups"

    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    score_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    attitude_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    efficiency_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    process_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    environment_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    overall_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    level_1: Mapped[int] = mapped_column(BigInteger, default=0)
    level_2: Mapped[int] = mapped_column(BigInteger, default=0)
    level_3: Mapped[int] = mapped_column(BigInteger, default=0)
    level_4: Mapped[int] = mapped_column(BigInteger, default=0)
    level_5: Mapped[int] = mapped_column(BigInteger, default=0)
    low_count: Mapped[int] = mapped_column(BigInteger, default=0)
    satisfied_count: Mapped[int] = mapped_column(BigInteger, default=0)


class Role(enum.StrEnum):
    ADMIN = "admin"
    #: A hall's manager: works the hall's alerts like its supervisors.
    MANAGER = "manager"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    #: The supervising office above the halls (督查): reads every hall, changes nothing.
    INSPECTOR = "inspector"


#: Roles bound to one hall: they see only that hall.
HALL_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR})
#: Roles that only read.
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.INSPECTOR})


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    #: A supervisor's own hall; admins and auditors have none.
    hall_id: Mapped[str | None] = mapped_column(ForeignKey("halls.id"))
    #: False once disabled (`disable_user`): no login, no token accepted.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Written into every login token; bumping it (disable, new password, revoke) voids
    #: all tokens issued before.
    token_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class ContentVersion(Base):
    """One version of the evaluation content: scoring settings and low-score reasons.

    Never changed once written: a change adds a new version, the newest is in force, and
    every rating keeps the `content_version` it was made with.
    """

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    #: `ScoringConfig` fields as strings (weights, thresholds, alert deadline).
    scoring: Mapped[dict[str, Any]] = mapped_column()
    #: [{"code", "dimension", "zh", "en"}, ...]
    reasons: Mapped[list[Any]] = mapped_column()
    created_at: Mapped[datetime]
    #: Who made it: a username, or "cli".
    created_by: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """One state change a person made (login, logout, alert step, admin edit, export):
    who, when, what, and the object's state before and after, as JSON."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The name as it was then (a user may be renamed or disabled later).
    username: Mapped[str] = mapped_column(String(64))
    #: e.g. "login", "logout", "alert.acknowledge", "user.create", "export.ratings".
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    #: The hall the object belongs to, when it belongs to one (what a hall's people may see).
    hall_id: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The hash chain (server/audit/chain.py): the entry's place in it, the hash of the
    #: entry before it and its own, set when its transaction commits.
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The audit log's newest link (one row): locked while an entry is chained, so that
    entries join the chain one at a time, in commit order."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class RatingDaySeal(Base):
    """The ratings the server received on one UTC day, sealed once the day is over: their
    count, the digest of their ids and content hashes, and a hash chained to the day
    before (server/audit/chain.py). A rating changed, added or deleted afterwards no
    longer matches its day's seal."""

    __tablename__ = "rating_day_seals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    seal_hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime]


class AlertProfileRow(Base):
    """A hall's alert profile (server/alerts/deadlines.py `AlertProfile`, as JSON); a hall
    without one runs on the default profile."""

    __tablename__ = "alert_profiles"

    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class NotificationChannel(Base):
    """Where the people of a role are told about alerts: an apprise URL (or `sms://...`),
    for one hall or (hall_id None) for all halls."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str | None] = mapped_column(ForeignKey("halls.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    #: May hold a robot key or an SMTP password: shown only to administrators, never logged.
    url: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(200), default="")
    #: Local "HH:MM" times; nothing is sent between them (the hall's timezone).
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    #: Collect this channel's messages into one a day instead of sending each.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    #: Waiting for its channel's daily digest.
    HELD = "held"
    SENT = "sent"
    #: Gave up after the last attempt (or the channel is gone).
    FAILED = "failed"


class NotificationOutbox(Base):
    """One message to one channel, written in the transaction that caused it and sent by
    the background delivery job: at least once, retried with backoff, once per key."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: "<alert id>:<event>[:<detail>]:<channel id>": the same event is queued once.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class RatingContact(Base):
    """A citizen's consent to be called back about a low score, with the phone number
    encrypted (server/privacy/crypto.py); deleted a set time after the alert closes."""

    __tablename__ = "rating_contacts"

    rating_id: Mapped[str] = mapped_column(ForeignKey("ratings.id"), primary_key=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    #: "138****5678": what anyone but the revealing supervisor sees.
    phone_masked: Mapped[str] = mapped_column(String(16))
    #: The consent text the citizen agreed to, as shown.
    consent_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class MonthClose(Base):
    """A hall's closed month: the figures and points as published, never changed after.

    `figures` is the whole computed month (server/months/figures.py, as JSON) with the
    rules it was computed with; `digest` is the SHA-256 of its canonical JSON, so
    `month verify` sees an edited row as well as a different recomputation. Ratings that
    arrive later are adjustments in a later month's report, never written in here.
    """

    __tablename__ = "month_closes"
    __table_args__ = (UniqueConstraint("hall_id", "month", name="uq_month_closes_hall_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), index=True)
    #: "2026-05", in the hall's timezone.
    month: Mapped[str] = mapped_column(String(7))
    closed_at: Mapped[datetime]
    #: A username, "cli", or "auto" (closed by the server a set number of days after).
    closed_by: Mapped[str] = mapped_column(String(64))
    config_version: Mapped[str] = mapped_column(String(32))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))


class RectificationState(enum.StrEnum):
    OPEN = "open"
    #: The owner recorded the actions taken; the counter is re-measured for some weeks.
    RECTIFIED = "rectified"
    #: Re-measured without the problem coming back.
    CLOSED = "closed"


class Rectification(Base):
    """An order to fix a counter's problem (整改) after a month over the low-score limit:
    owner, deadline, required actions, the outcome recorded, then a re-measure of the
    dimension concerned that reopens the order if the problem comes back."""

    __tablename__ = "rectifications"
    __table_args__ = (
        UniqueConstraint("counter_id", "month", name="uq_rectifications_counter_month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), index=True)
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    #: The dimension with the lowest mean that month: what the re-measure watches.
    dimension: Mapped[str] = mapped_column(String(32))
    low_rate: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=RectificationState.OPEN.value)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime]
    actions: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    rectified_at: Mapped[datetime | None]
    #: Re-measured until then; the order reopens if the dimension's low rate comes back.
    remeasure_until: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(Integer, default=0)
