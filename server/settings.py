"""Server settings from the environment (`HALLRATE_*`), validated once at start-up."""

from __future__ import annotations

import functools
import ipaddress
import json
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.scoring import DEFAULT_CONFIG, ScoringConfig, ScoringConfigError

#: What a server in explicit development mode signs with when given no secret. It is in
#: the source, so anyone can forge tokens with it: `serve` warns, and it is refused anywhere
#: but development.
DEVELOPMENT_SECRET = "development-only-secret-do-not-deploy"
#: A secret shorter than this is refused (`init --secret-file` writes 43 characters).
MIN_SECRET_CHARS = 32
#: Fewer distinct characters than this is no random secret ("aaaa…", "01010101…").
_MIN_SECRET_DISTINCT = 12
#: Words of placeholders in documentation and examples; a secret containing one is refused.
_PLACEHOLDER_WORDS = (
    "replace-with",
    "replace_with",
    "change-me",
    "changeme",
    "change_me",
    "placeholder",
    "your-secret",
    "example",
    "do-not-deploy",
    "not-for-production",
)


class SettingsError(ValueError):
    """Settings the server must not start with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HALLRATE_", extra="ignore", frozen=True)

    #: `production` unless told otherwise: a server started with no settings must not sign
    #: with a published secret. `development` (the demo) is chosen explicitly.
    environment: Literal["development", "test", "production"] = "production"
    #: SQLite file by default (the embedded install); `postgresql+psycopg://...` in production.
    database_url: str = "sqlite:///hallrate.db"
    #: Signs user login tokens and phone-rating tokens and wraps the devices' bundle keys.
    #: Required outside development (or `secret_key_file`); see docs/operator.md to rotate.
    secret_key: str | None = Field(default=None, repr=False)
    #: A file holding the secret (`hallrate-server init --secret-file PATH` writes one).
    secret_key_file: Path | None = None
    #: The secret in force before the last rotation: tokens and bundles signed with it are
    #: still accepted until it is removed (docs/operator.md, "Rotating the secret key").
    previous_secret_key: str | None = Field(default=None, repr=False)
    #: Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's
    #: forwarded-allow-ips), comma-separated addresses or networks. Requests from anywhere
    #: else are keyed by their own address, so a client cannot pick its rate-limit bucket.
    trusted_proxies: str = "127.0.0.1"
    #: Who may read /metrics: comma-separated addresses or networks (loopback by default).
    metrics_allow: str = "127.0.0.1,::1"
    #: Halls whose timezone is not given run on this one; days and months are local.
    default_timezone: str = "Asia/Shanghai"
    #: A device clock further off than this is flagged and its ratings' times corrected.
    clock_offset_limit_s: float = Field(default=300.0, gt=0)
    #: Ratings claiming (after correction) to be from further ahead than this are rejected.
    future_tolerance_s: float = Field(default=300.0, ge=0)
    #: Ratings older than this many days are rejected as implausible (halls may be offline
    #: for weeks, not for years).
    max_rating_age_days: int = Field(default=400, gt=0)
    enrollment_code_hours: int = Field(default=72, gt=0)
    #: Login tokens live this long; a token claiming a later expiry is refused whatever
    #: its signature says.
    login_token_hours: int = Field(default=12, gt=0, le=7 * 24)
    #: The console signs a user out after this many minutes without a click or a form.
    console_idle_minutes: int = Field(default=30, gt=0, le=24 * 60)
    #: ... and after this many hours whatever they do.
    console_session_hours: int = Field(default=12, gt=0, le=24 * 7)
    #: A month is closed by itself this many days after it ends (its late ratings become
    #: adjustments of a later month); 0 closes it as soon as it ends.
    month_close_after_days: int = Field(default=5, ge=0, le=60)
    #: Where scheduled reports are kept for download (the console's Month page lists them):
    #: each closed month's hall report, each week's and quarter's summary, PDF and XLSX.
    report_dir: Path = Path("reports")
    #: How often the month job looks for months to close, orders to re-measure and
    #: summaries to make.
    month_job_interval_s: float = Field(default=600.0, gt=0)
    #: How often the background job marks overdue alerts escalated.
    escalation_interval_s: float = Field(default=60.0, gt=0)
    #: Failed enrollment attempts (and failed logins) one client address may make per
    #: minute before 429; counted in the database, so all workers share the count.
    enroll_failures_per_minute: int = Field(default=10, gt=0)
    #: Syncs one device may start per second before 429 (a runaway retry loop).
    device_syncs_per_second: float = Field(default=20.0, gt=0)
    #: Ingest requests one worker runs at once; more wait, and past the queue get 503.
    max_concurrent_ingests: int = Field(default=8, gt=0)
    retry_after_s: int = Field(default=5, gt=0)
    #: argon2id cost of user passwords (the argon2-cffi defaults: 3 passes over 64 MiB).
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=65536, ge=8)
    #: Passwords one worker hashes at once (each takes `password_memory_kib`); a login
    #: beyond that is answered 429 with Retry-After instead of queueing memory.
    max_concurrent_password_hashes: int = Field(default=2, gt=0)
    #: The address citizens' phones reach this server at (the QR codes on kiosks and
    #: receipts point there), e.g. `https://pingjia.example.gov.cn`. Unset: the address the
    #: kiosk itself used, which suits a hall whose phones share the kiosks' network.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    #: How long a phone-rating token stays valid; kiosks get a fresh one with every sync.
    mobile_token_minutes: int = Field(default=15, gt=0, le=24 * 60)
    #: The scoring rules over sync/scoring.py's defaults: JSON that
    #: `ScoringConfig.from_mapping` reads, e.g. `{"version": "2025.1", "weights": {...}}`.
    #: Kiosks receive them with every sync answer and score with them.
    scoring_rules: str = ""
    #: Where staff photos are kept (JPEG files named by their SHA-256), outside the database.
    photo_dir: Path = Path("photos")
    #: The largest photo upload accepted, in bytes; below the 2 MiB every request body is
    #: held to (server/bodylimit.py), leaving room for the form around it.
    photo_max_bytes: int = Field(default=1_900_000, gt=0, le=2_000_000)

    #: How often the delivery job looks for notifications to send.
    notify_interval_s: float = Field(default=10.0, gt=0)
    #: Attempts before a notification is marked failed; waits between them double up to
    #: the cap.
    notify_max_attempts: int = Field(default=8, gt=0, le=100)
    notify_backoff_s: float = Field(default=30.0, gt=0)
    notify_backoff_cap_s: float = Field(default=3600.0, gt=0)
    #: A message being sent is retried after this if the sender died mid-send.
    notify_lease_s: float = Field(default=120.0, gt=0)
    #: Local hour daily digests go out.
    notify_digest_hour: int = Field(default=8, ge=0, le=23)
    #: SMS gateway: "log" only logs; "http" POSTs JSON to `sms_http_url`.
    sms_driver: Literal["log", "http"] = "log"
    sms_http_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    sms_http_token: str | None = None

    #: Offer citizens who gave a low score a call-back (phone number and consent). Needs
    #: a contact key; the server refuses to start without one.
    collect_contact: bool = False
    #: The Fernet key phone numbers are encrypted with (`hallrate-server privacy keygen`),
    #: given directly or as a file readable only by the server. Never in the database.
    contact_key: str | None = None
    contact_key_file: Path | None = None
    #: Days after an alert is closed that the citizen's contact is deleted.
    contact_retention_days: int = Field(default=30, ge=0, le=3650)
    #: How often the retention job deletes expired contacts.
    retention_interval_s: float = Field(default=3600.0, gt=0)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @field_validator("scoring_rules")
    @classmethod
    def _usable_scoring(cls, value: str) -> str:
        try:
            config = _scoring(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"scoring_rules is not JSON: {exc}") from None
        except (ScoringConfigError, ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"scoring_rules: {exc}") from None
        if config != DEFAULT_CONFIG and config.version == DEFAULT_CONFIG.version:
            # Ratings record the version they were scored with: other rules, other version.
            raise ValueError("scoring_rules that change the rules need a version of their own")
        return value

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _address_list(cls, value: str) -> str:
        for item in _split(value):
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    @model_validator(mode="after")
    def _usable_notification_and_contact_settings(self) -> Settings:
        if self.sms_driver == "http" and not self.sms_http_url:
            raise SettingsError("HALLRATE_SMS_HTTP_URL must be set when HALLRATE_SMS_DRIVER=http")
        key = self.contact_key_bytes()
        if self.collect_contact and key is None:
            raise SettingsError(
                "HALLRATE_COLLECT_CONTACT is on but no contact key is given: set "
                "HALLRATE_CONTACT_KEY_FILE (or HALLRATE_CONTACT_KEY) to a Fernet key made by "
                "`hallrate-server privacy keygen`"
            )
        if key is not None:
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise SettingsError(
                    "the contact key is not a Fernet key (make one: hallrate-server privacy keygen)"
                ) from None
        return self

    @model_validator(mode="after")
    def _real_secret_outside_development(self) -> Settings:
        if self.environment == "development":
            return self
        for name, value in (
            ("HALLRATE_SECRET_KEY", self.secret_key),
            ("HALLRATE_PREVIOUS_SECRET_KEY", self.previous_secret_key),
        ):
            if value is not None:
                problem = secret_problem(value)
                if problem:
                    raise SettingsError(f"{name} is refused: {problem}")
        return self

    def contact_key_bytes(self) -> bytes | None:
        """The contact key, read from its file if one is named; None when there is none."""
        if self.contact_key_file is not None:
            try:
                return self.contact_key_file.read_bytes().strip()
            except OSError as exc:
                raise SettingsError(
                    f"cannot read HALLRATE_CONTACT_KEY_FILE: {exc.strerror}"
                ) from None
        return self.contact_key.encode() if self.contact_key else None

    @property
    def secret(self) -> str:
        """The signing secret: HALLRATE_SECRET_KEY, else the content of
        HALLRATE_SECRET_KEY_FILE, else (development only) the published development secret.
        SettingsError when there is none, or it is no real secret outside development."""
        value = self.secret_key
        if value is None and self.secret_key_file is not None:
            try:
                value = self.secret_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SettingsError(
                    f"cannot read HALLRATE_SECRET_KEY_FILE {self.secret_key_file}: {exc.strerror}"
                ) from None
        if self.environment == "development":
            return value or DEVELOPMENT_SECRET
        if value is None:
            raise SettingsError(
                "no secret key: set HALLRATE_SECRET_KEY or HALLRATE_SECRET_KEY_FILE "
                "(`hallrate-server init --secret-file PATH` makes one), or choose "
                "HALLRATE_ENVIRONMENT=development for a throwaway server"
            )
        problem = secret_problem(value)
        if problem:
            raise SettingsError(f"the secret key is refused: {problem}")
        return value

    def with_secret_read(self) -> Settings:
        """These settings with the secret key file read once (the app signs often);
        SettingsError when there is no real secret."""
        secret = self.secret
        if self.secret_key is None and self.secret_key_file is not None:
            return self.model_copy(update={"secret_key": secret})
        return self

    @property
    def secrets(self) -> tuple[str, ...]:
        """The current secret, then the previous one still accepted for verifying."""
        previous = (self.previous_secret_key,) if self.previous_secret_key else ()
        return (self.secret, *previous)

    @property
    def uses_published_secret(self) -> bool:
        """Signing with a secret anyone can read (development mode only gets this far)."""
        return secret_problem(self.secret) is not None

    @property
    def metrics_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in _split(self.metrics_allow)]

    @property
    def default_scoring(self) -> ScoringConfig:
        """The scoring rules in force while the database holds no content version:
        sync/scoring.py's defaults with `scoring_rules` on top. Call
        `server.content.service.scoring_in_force` for the rules in force."""
        return _scoring(self.scoring_rules)


@functools.lru_cache(maxsize=16)
def _scoring(rules: str) -> ScoringConfig:
    if not rules.strip():
        return DEFAULT_CONFIG
    data = json.loads(rules)
    if not isinstance(data, dict):
        raise ScoringConfigError("the rules must be a JSON object")
    return ScoringConfig.from_mapping(data) if data else DEFAULT_CONFIG


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_problem(secret: str) -> str | None:
    """Why `secret` is no real secret (None when it will do)."""
    if secret == DEVELOPMENT_SECRET:
        return "it is the development secret published in the source"
    lowered = secret.lower()
    for word in _PLACEHOLDER_WORDS:
        if word in lowered:
            return f"it looks like a placeholder ({word!r}); generate a random one"
    if len(secret) < MIN_SECRET_CHARS:
        return f"it has {len(secret)} characters; at least {MIN_SECRET_CHARS} are needed"
    if len(set(secret)) < _MIN_SECRET_DISTINCT:
        return "it has too few distinct characters to be random"
    return None
