"""`record(...)`: write who did what, when, to which object, with its state before and
after. Called by the service functions that change state (alerts, users, halls, exports,
sign-in), in the same transaction as the change, so the log and the data never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from server.audit import chain, repository
from server.models import AuditEntry, User

#: Field names whose values never go into the log (hashes, tokens, secrets).
_SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash", "code_hash"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {
            str(k): ("[hidden]" if k in _SECRET_FIELDS else _jsonable(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of `obj` as a JSON-able dict (for `before`/`after`)."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record(
    session: Session,
    *,
    user: User | None,
    action: str,
    at: datetime,
    object_type: str = "",
    object_id: str | int = "",
    hall_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    username: str | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry to the session's transaction (the caller commits).

    Without `user`, `user_id` and `username` name the actor (a sign-in knows only the
    user's id and name; a failed one logs "?"); secrets in `before`/`after` are replaced
    by "[hidden]".
    """
    entry = AuditEntry(
        at=at,
        user_id=user.id if user is not None else user_id,
        username=(user.username if user is not None else (username or ""))[:64],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        hall_id=hall_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    repository.add(session, entry)
    chain.pending(session, entry)
    return entry


def entries(
    session: Session,
    *,
    hall_id: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """The log, newest first; `hall_id` narrows it to one hall's entries."""
    return repository.search(
        session,
        hall_id=hall_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        limit=limit,
        offset=offset,
    )
