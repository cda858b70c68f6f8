"""Server settings from the environment (`HALLRATE_*`), validated once at start-up."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.scoring import DEFAULT_CONFIG, ScoringConfig, ScoringConfigError

#: The secret a development install starts with; refused anywhere else.
DEVELOPMENT_SECRET = "development-only-secret-do-not-deploy"


class SettingsError(ValueError):
    """Settings the server must not start with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HALLRATE_", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    #: SQLite file by default (the embedded install); `postgresql+psycopg://...` in production.
    database_url: str = "sqlite:///hallrate.db"
    #: Signs user login tokens and phone-rating tokens. Must be changed outside development.
    secret_key: str = DEVELOPMENT_SECRET
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
    login_token_hours: int = Field(default=12, gt=0)
    #: The console signs a user out after this many minutes without a click or a form.
    console_idle_minutes: int = Field(default=30, gt=0, le=24 * 60)
    #: ... and after this many hours whatever they do.
    console_session_hours: int = Field(default=12, gt=0, le=24 * 7)
    #: How often the background job marks overdue alerts escalated.
    escalation_interval_s: float = Field(default=60.0, gt=0)
    #: Failed enrollment attempts one client address may make per minute before 429.
    enroll_failures_per_minute: int = Field(default=10, gt=0)
    #: Syncs one device may start per second before 429 (a runaway retry loop).
    device_syncs_per_second: float = Field(default=20.0, gt=0)
    #: Ingest requests one worker runs at once; more wait, and past the queue get 503.
    max_concurrent_ingests: int = Field(default=8, gt=0)
    retry_after_s: int = Field(default=5, gt=0)
    #: argon2id cost of user passwords (the argon2-cffi defaults: 3 passes over 64 MiB).
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=65536, ge=8)
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

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment != "development" and self.secret_key == DEVELOPMENT_SECRET:
            raise SettingsError(
                f"HALLRATE_SECRET_KEY must be set when HALLRATE_ENVIRONMENT={self.environment}"
            )
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
        if len(self.secret_key) < 16:
            raise SettingsError("HALLRATE_SECRET_KEY must be at least 16 characters")
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
    def scoring(self) -> ScoringConfig:
        """The scoring rules in force: sync/scoring.py's defaults with `scoring_rules` on
        top. Everything that scores asks here, so the rules have one source."""
        return _scoring(self.scoring_rules)


@functools.lru_cache(maxsize=16)
def _scoring(rules: str) -> ScoringConfig:
    if not rules.strip():
        return DEFAULT_CONFIG
    data = json.loads(rules)
    if not isinstance(data, dict):
        raise ScoringConfigError("the rules must be a JSON object")
    return ScoringConfig.from_mapping(data) if data else DEFAULT_CONFIG
