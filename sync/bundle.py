"""Offline bundles, for halls that never connect: ratings carried on a USB stick.

A kiosk writes its undelivered ratings and sessions to a bundle; the server ingests it
through the same code as `/api/v1/sync` and writes a receipt; the kiosk reads the receipt
and marks what the server took as delivered. Both files are authenticated with
HMAC-SHA256 under a key both ends hold without sharing anything new: the SHA-256 of the
device's token, which the kiosk derives from its token and the server keeps as the token's
hash. A tampered bundle, or one from another device, fails verification and is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, get_args

from sync.protocol import Result

BUNDLE_FORMAT = "hallrate-bundle"
RECEIPT_FORMAT = "hallrate-receipt"
VERSION = 1


class BundleError(Exception):
    """A bundle or receipt that cannot be used; the message says why."""


def device_key(token: str) -> str:
    """The MAC key of a device: the SHA-256 (hex) of its token, as the server stores it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: str, document: dict[str, Any]) -> str:
    return hmac.new(key.encode(), _canonical(document), hashlib.sha256).hexdigest()


def seal(document: dict[str, Any], key: str) -> bytes:
    """The document with its MAC, as the bytes of a file."""
    sealed = {**document, "mac": _mac(key, document)}
    return json.dumps(sealed, ensure_ascii=False, indent=1).encode()


def read(data: bytes, expected_format: str) -> dict[str, Any]:
    """Parse a bundle or receipt file without verifying it yet (to learn its device)."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"not a {expected_format} file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != expected_format:
        raise BundleError(f"not a {expected_format} file")
    if document.get("version") != VERSION:
        raise BundleError(f"unsupported {expected_format} version {document.get('version')!r}")
    if not isinstance(document.get("device_id"), str) or not isinstance(document.get("mac"), str):
        raise BundleError(f"the {expected_format} names no device or carries no MAC")
    return document


def verify(document: dict[str, Any], key: str) -> None:
    """Raise `BundleError` unless the document's MAC is right under `key`."""
    if not hmac.compare_digest(str(document.get("mac")), _mac(key, document)):
        raise BundleError("the file was altered or comes from another device: MAC mismatch")


@dataclass(frozen=True)
class Bundle:
    bundle_id: str
    device_id: str
    counter_id: str
    created_at: str
    ratings: list[dict[str, Any]]
    sessions: list[dict[str, Any]]

    def document(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "version": VERSION,
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "counter_id": self.counter_id,
            "created_at": self.created_at,
            "ratings": self.ratings,
            "sessions": self.sessions,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Bundle:
        try:
            ratings = document["ratings"]
            sessions = document["sessions"]
            if not isinstance(ratings, list) or not isinstance(sessions, list):
                raise TypeError("ratings and sessions must be lists")
            return cls(
                bundle_id=str(document["bundle_id"]),
                device_id=str(document["device_id"]),
                counter_id=str(document["counter_id"]),
                created_at=str(document["created_at"]),
                ratings=ratings,
                sessions=sessions,
            )
        except (KeyError, TypeError) as exc:
            raise BundleError(f"incomplete bundle: {exc}") from None


@dataclass(frozen=True)
class Receipt:
    bundle_id: str
    device_id: str
    results: dict[str, str]
    errors: dict[str, str]

    def document(self) -> dict[str, Any]:
        return {
            "format": RECEIPT_FORMAT,
            "version": VERSION,
            "bundle_id": self.bundle_id,
            "device_id": self.device_id,
            "results": self.results,
            "errors": self.errors,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Receipt:
        results = document.get("results")
        errors = document.get("errors", {})
        if not isinstance(results, dict) or not isinstance(errors, dict):
            raise BundleError("incomplete receipt: results missing")
        if not set(results.values()) <= set(get_args(Result)):
            raise BundleError("the receipt holds an unknown result")
        return cls(
            bundle_id=str(document.get("bundle_id")),
            device_id=str(document["device_id"]),
            results={str(k): str(v) for k, v in results.items()},
            errors={str(k): str(v) for k, v in errors.items()},
        )
