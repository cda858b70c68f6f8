"""Typed store errors: raised where they start, turned into the user's words by the UI."""

from __future__ import annotations


class StoreError(Exception):
    """The local store could not do what was asked; nothing was half written.

    `reason` is a short stable code the UI translates (`full`, `read_only`, `io`, ...).
    """

    reason = "io"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreFullError(StoreError):
    """The disk (or the store's size limit) is full: the rating was not saved."""

    reason = "full"


class StoreReadOnlyError(StoreError):
    """The store's file or folder cannot be written: the rating was not saved."""

    reason = "read_only"


class InvalidRatingError(StoreError):
    """The rating itself breaks the rules (a score outside 1–5, a comment too long, ...)."""

    reason = "invalid"


class SessionError(StoreError):
    """A session change that does not fit the session's state: `reason` is `not_found`
    (no such session here), `ended` (it ended already) or `invalid` (bad field)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
