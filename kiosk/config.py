"""The kiosk's configuration: a TOML file (`--config`) over defaults that make a first run work.

Everything an admin may change on the device (counter, staff on duty, PIN, language, idle
times) can also be overridden by settings kept in the local store; `with_overrides` applies
those on top of the file, so a config file rolled out to every kiosk does not undo what an
admin set at one counter.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sync.reasons import DEFAULT_REASONS, Reason
from sync.scoring import DIMENSION_CODES

Language = Literal["zh_CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh_CN", "en")


class ConfigError(ValueError):
    """A configuration file or setting that cannot be used; the message says which key."""


PrinterKind = Literal["none", "system", "pdf", "escpos"]


@dataclass(frozen=True)
class PrinterConfig:
    """The receipt printer (`[printer]` in the TOML file). `none` prints nothing; `system`
    is a system (CUPS) printer by `name` ("" for the default); `pdf` writes each receipt to
    `pdf_dir`; `escpos` a thermal printer on `connection` usb (`vendor`, `product`),
    serial (`device`, `baudrate`) or network (`host`, `port`)."""

    kind: PrinterKind = "none"
    width_mm: int = 80
    name: str = ""
    pdf_dir: str = ""
    connection: str = "usb"
    vendor: int = 0
    product: int = 0
    device: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    host: str = ""
    port: int = 9100
    #: Use the printer's own QR command; off for printers without one (sent as an image).
    native_qr: bool = True
    #: Ask the printer for its paper state first (needs a two-way connection).
    check_paper: bool = False


_PRINTER_FIELDS: dict[str, type] = {
    "kind": str,
    "width_mm": int,
    "name": str,
    "pdf_dir": str,
    "connection": str,
    "vendor": int,
    "product": int,
    "device": str,
    "baudrate": int,
    "host": str,
    "port": int,
    "native_qr": bool,
    "check_paper": bool,
}


def _printer(value: Any, source: str) -> PrinterConfig:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: printer must be a table")
    unknown = set(value) - set(_PRINTER_FIELDS)
    if unknown:
        raise ConfigError(f"{source}: unknown printer settings: {', '.join(sorted(unknown))}")
    for key, kind in _PRINTER_FIELDS.items():
        if key in value and (
            not isinstance(value[key], kind) or (kind is int and isinstance(value[key], bool))
        ):
            raise ConfigError(f"{source}: printer.{key} must be a {kind.__name__}")
    config = PrinterConfig(**dict(value))
    if config.kind not in ("none", "system", "pdf", "escpos"):
        raise ConfigError(f"{source}: printer.kind must be none, system, pdf or escpos")
    if config.width_mm not in (58, 80):
        raise ConfigError(f"{source}: printer.width_mm must be 58 or 80")
    if config.connection not in ("usb", "serial", "network"):
        raise ConfigError(f"{source}: printer.connection must be usb, serial or network")
    if config.kind == "pdf" and not config.pdf_dir:
        raise ConfigError(f'{source}: printer.pdf_dir is needed for kind = "pdf"')
    return config


@dataclass(frozen=True)
class Staff:
    """The staff member on duty at this counter."""

    id: str = "S001"
    name: str = "值班工作人员"
    number: str = "S001"
    photo: Path | None = None


#: An admin PIN is 4 to 12 digits, kept as a string so that leading zeros survive.
MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 12


def valid_pin(pin: str) -> bool:
    """Whether `pin` may be an admin PIN: the one place the rule is written."""
    return pin.isdigit() and MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A salted PBKDF2 hash of a PIN as `salt_hex$hash_hex`: what the store keeps once an
    admin changes the PIN on the device, so the settings table never holds the PIN itself."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, 100_000)
    return f"{salt.hex()}${digest.hex()}"


def pin_matches(pin: str, pin_hash: str) -> bool:
    salt_hex, _, _ = pin_hash.partition("$")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(hash_pin(pin, salt), pin_hash)


#: Confirmed ratings stay at least this long: the kiosk's own figures look back a week.
MIN_RETENTION_DAYS = 7


@dataclass(frozen=True)
class Phrase:
    """A common comment a citizen can add with one tap instead of typing it."""

    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language == "zh_CN" else self.en


DEFAULT_PHRASES: tuple[Phrase, ...] = (
    Phrase("工作人员态度很好", "Staff were very friendly"),
    Phrase("办事效率高", "Quick and efficient"),
    Phrase("一次就办好了", "Done in one visit"),
    Phrase("等待时间太长", "Waited too long"),
    Phrase("材料要求没讲清楚", "Paperwork was not explained clearly"),
    Phrase("希望增加办理窗口", "Please open more counters"),
    Phrase("指引标识不清楚", "Signs are hard to follow"),
    Phrase("大厅环境整洁", "The hall is clean and tidy"),
)

#: The comment screen shows at most this many phrases: more would not be read at a glance.
MAX_PHRASES = 8


@dataclass(frozen=True)
class KioskConfig:
    """All a kiosk needs to run. The defaults run a first start with no file at all."""

    hall_name: str = "政务服务大厅"
    counter_id: str = "counter-01"
    counter_name: str = "1号窗口 综合受理"
    staff: Staff = field(default_factory=Staff)
    #: The admin PIN as configured in the file; `pin_hash` wins when an admin has changed it.
    pin: str = "123456"
    pin_hash: str | None = None
    language: Language = "zh_CN"
    large_text: bool = False
    #: Seconds without a touch in the middle of a rating before it is discarded.
    idle_s: float = 60.0
    #: Seconds the thanks screen stays before going back to welcome.
    thanks_s: float = 8.0
    #: Minimum seconds between two stored ratings (against 刷分).
    cooldown_s: float = 15.0
    #: Seconds the hall logo must be held to open the admin PIN pad.
    admin_hold_s: float = 5.0
    #: Wrong PINs in a row before the pad locks, and for how long.
    pin_attempts: int = 5
    pin_lockout_s: float = 300.0
    #: Say the prompt aloud when a speech engine is present.
    speech: bool = True
    reasons: tuple[Reason, ...] = DEFAULT_REASONS
    #: Common comments offered as chips on the comment screen (the hall's own, up to 8).
    phrases: tuple[Phrase, ...] = DEFAULT_PHRASES
    #: The hall's service hotline, printed on receipts ("" prints none), e.g. "12345".
    hotline: str = ""
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    #: Days a rating stays on the kiosk after the server confirmed it (comments are
    #: personal data); what the server has not confirmed is never deleted.
    retention_days: int = 90
    #: Where the local API for the hall's queue system listens ("192.168.1.20:8765");
    #: empty: not at all. Never on all interfaces unless "0.0.0.0:PORT" is written.
    queue_api_listen: str = ""
    #: The key every queue API request carries (at least 16 characters).
    queue_api_key: str = ""
    #: Seconds the rating invitation stays after a session ends.
    invite_s: float = 60.0

    def check_pin(self, pin: str) -> bool:
        if self.pin_hash:
            return pin_matches(pin, self.pin_hash)
        return hmac.compare_digest(pin.encode(), self.pin.encode())

    def reasons_for(self, dimension: str) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.dimension == dimension)

    def with_overrides(self, overrides: Mapping[str, Any]) -> KioskConfig:
        """This configuration with settings an admin saved on the device applied on top."""
        return _apply(self, overrides, source="settings")

    def overrides(self) -> dict[str, Any]:
        """The admin-editable settings as plain JSON, the inverse of `with_overrides`."""
        return {
            "hall_name": self.hall_name,
            "counter_id": self.counter_id,
            "counter_name": self.counter_name,
            "staff": {"id": self.staff.id, "name": self.staff.name, "number": self.staff.number},
            "pin_hash": self.pin_hash,
            "language": self.language,
            "large_text": self.large_text,
            "idle_s": self.idle_s,
            "cooldown_s": self.cooldown_s,
        }


_SCALARS: dict[str, type] = {
    "hall_name": str,
    "counter_id": str,
    "counter_name": str,
    "pin": str,
    "pin_hash": str,
    "language": str,
    "large_text": bool,
    "idle_s": float,
    "thanks_s": float,
    "cooldown_s": float,
    "admin_hold_s": float,
    "pin_attempts": int,
    "pin_lockout_s": float,
    "speech": bool,
    "retention_days": int,
    "queue_api_listen": str,
    "queue_api_key": str,
    "invite_s": float,
    "hotline": str,
}

#: A queue API key is at least this long.
MIN_QUEUE_API_KEY_CHARS = 16


def _apply(config: KioskConfig, data: Mapping[str, Any], *, source: str) -> KioskConfig:
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SCALARS:
            changes[key] = _scalar(key, value, _SCALARS[key], source)
        elif key == "staff":
            changes[key] = _staff(config.staff, value, source)
        elif key == "reasons":
            changes[key] = _reasons(value, source)
        elif key == "phrases":
            changes[key] = _phrases(value, source)
        elif key == "printer":
            changes[key] = _printer(value, source)
        else:
            raise ConfigError(f"{source}: unknown setting {key!r}")
    if "language" in changes and changes["language"] not in LANGUAGES:
        raise ConfigError(f"{source}: language must be one of {', '.join(LANGUAGES)}")
    if "pin" in changes and not valid_pin(changes["pin"]):
        raise ConfigError(f"{source}: pin must be {MIN_PIN_DIGITS}–{MAX_PIN_DIGITS} digits")
    for key in ("idle_s", "thanks_s", "cooldown_s", "admin_hold_s", "pin_lockout_s", "invite_s"):
        if key in changes and changes[key] < 0:
            raise ConfigError(f"{source}: {key} must not be negative")
    if changes.get("queue_api_key") and len(changes["queue_api_key"]) < MIN_QUEUE_API_KEY_CHARS:
        raise ConfigError(
            f"{source}: queue_api_key must have at least {MIN_QUEUE_API_KEY_CHARS} characters"
        )
    if changes.get("queue_api_listen"):
        parse_listen(changes["queue_api_listen"], source)
    if changes.get("pin_attempts", 1) < 1:
        raise ConfigError(f"{source}: pin_attempts must be at least 1")
    if not MIN_RETENTION_DAYS <= changes.get("retention_days", MIN_RETENTION_DAYS) <= 3660:
        raise ConfigError(
            f"{source}: retention_days must be {MIN_RETENTION_DAYS}–3660 (days after the server"
            " confirmed a rating)"
        )
    return replace(config, **changes)


def _scalar(key: str, value: Any, kind: type, source: str) -> Any:
    if value is None and key == "pin_hash":
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is str and key == "pin" and isinstance(value, int):
        raise ConfigError(f"{source}: pin must be a quoted string, so leading zeros survive")
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{source}: {key} must be a {kind.__name__}, got {value!r}")
    return value


def _staff(current: Staff, value: Any, source: str) -> Staff:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: staff must be a table")
    unknown = set(value) - {"id", "name", "number", "photo"}
    if unknown:
        raise ConfigError(f"{source}: unknown staff settings: {', '.join(sorted(unknown))}")
    for key in ("id", "name", "number", "photo"):
        if key in value and not isinstance(value[key], str):
            raise ConfigError(f"{source}: staff.{key} must be a string")
    photo = Path(value["photo"]) if value.get("photo") else current.photo
    return Staff(
        id=value.get("id", current.id),
        name=value.get("name", current.name),
        number=value.get("number", current.number),
        photo=photo,
    )


def reasons_from(value: Any, source: str) -> tuple[Reason, ...]:
    """Reasons from a list of `{code, dimension, zh, en}` tables (the file, or the server's
    `config.reasons`); ConfigError names what is wrong."""
    return _reasons(value, source)


def _reasons(value: Any, source: str) -> tuple[Reason, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{source}: reasons must be an array of tables")
    reasons: list[Reason] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, Mapping) or set(item) != {"code", "dimension", "zh", "en"}:
            raise ConfigError(f"{source}: each reason needs exactly code, dimension, zh and en")
        if not all(isinstance(v, str) and v for v in item.values()):
            raise ConfigError(f"{source}: reason fields must be non-empty strings")
        if item["dimension"] not in DIMENSION_CODES:
            raise ConfigError(f"{source}: reason {item['code']!r} has unknown dimension")
        if item["code"] in seen:
            raise ConfigError(f"{source}: reason code {item['code']!r} appears twice")
        seen.add(item["code"])
        reasons.append(Reason(item["code"], item["dimension"], item["zh"], item["en"]))
    return tuple(reasons)


def _phrases(value: Any, source: str) -> tuple[Phrase, ...]:
    if not isinstance(value, list) or len(value) > MAX_PHRASES:
        raise ConfigError(f"{source}: phrases must be an array of at most {MAX_PHRASES} tables")
    phrases: list[Phrase] = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) != {"zh", "en"}:
            raise ConfigError(f"{source}: each phrase needs exactly zh and en")
        if not all(isinstance(v, str) and v.strip() for v in item.values()):
            raise ConfigError(f"{source}: phrase texts must be non-empty strings")
        phrases.append(Phrase(item["zh"].strip(), item["en"].strip()))
    return tuple(phrases)


def load_config(path: Path | None) -> KioskConfig:
    """The defaults, with the TOML file at `path` applied when one is given."""
    config = KioskConfig()
    if path is None:
        return config
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    printer = data.get("printer")
    data = dict(data.get("kiosk", data))
    if printer is not None and "printer" not in data:
        data["printer"] = printer
    if isinstance(data.get("printer"), Mapping) and data["printer"].get("pdf_dir"):
        # Like the photo: a folder named in the file is relative to the file.
        folder = str(path.parent / data["printer"]["pdf_dir"])
        data["printer"] = {**data["printer"], "pdf_dir": folder}
    staff = data.get("staff")
    if isinstance(staff, Mapping) and isinstance(staff.get("photo"), str):
        # A photo path in the file is relative to the file, not to wherever the kiosk started.
        data["staff"] = {**staff, "photo": str(path.parent / staff["photo"])}
    return _apply(config, data, source=str(path))


def parse_listen(text: str, source: str = "queue_api_listen") -> tuple[str, int]:
    """("host", port) from "host:port" ("[::1]:8765" for IPv6); ConfigError when not one."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{source}: queue_api_listen must be HOST:PORT, got {text!r}")
    return host, int(port)
